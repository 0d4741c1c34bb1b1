// The access list: its file format, the errors of each malformed line with FILE:LINE:COLUMN,
// and the role and account queries.

#include "access_list.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <string>

using namespace bourse;
using namespace bourse::net;

namespace {

// Valid Z85 key texts built by hand: each group of five characters is at most 0xffffffff.
const std::string kAlice = std::string(39, '0') + "1";
const std::string kBob = std::string(39, '0') + "2";
const std::string kRoom = std::string(39, '0') + "3";
// A '#' that is not the first character of a group is valid Z85, so a key may hold one.
const std::string kHashKey = "0#" + std::string(38, 'a');

AccessListResult parse(const std::string &text)
{
    return parseAccessList(text, "terminals.access");
}

} // namespace

class TestAccessList : public QObject {
    Q_OBJECT

private slots:
    void entriesWithCommentsParsed();
    void rolesAndAccountsQueried();
    void orderChecksNameTheReason();
    void keyContainingHashKeptWhole();
    void emptyFileGivesEmptyList();
    void malformedLines_data();
    void malformedLines();
    void errorsOfSeveralLinesReportedTogether();
    void missingFileNamed();
    void fileLoadedFromDisk();
};

void TestAccessList::entriesWithCommentsParsed()
{
    const std::string text = "# terminals of the desk\n\ntrader " + kAlice +
                             " accounts 2,1  # alice\n  viewer\t" + kRoom + "   #   room 3  \r\n";
    const AccessListResult result = parse(text);
    QVERIFY(result.ok());
    QCOMPARE(result.list->size(), 2u);
    const AccessEntry &alice = result.list->entries()[0];
    QCOMPARE(alice.publicKey, kAlice);
    QCOMPARE(alice.role, Role::Trader);
    QCOMPARE(alice.accounts, (std::vector<AccountId>{AccountId{1}, AccountId{2}}));
    QCOMPARE(alice.comment, "alice");
    QCOMPARE(alice.line, 3u);
    const AccessEntry &room = result.list->entries()[1];
    QCOMPARE(room.role, Role::Viewer);
    QVERIFY(room.accounts.empty());
    QCOMPARE(room.comment, "room 3");
    QCOMPARE(room.line, 4u);
    QCOMPARE(result.list->fileName(), "terminals.access");
}

void TestAccessList::rolesAndAccountsQueried()
{
    const AccessListResult result =
        parse("trader " + kAlice + " accounts 1, 2\nviewer " + kRoom + "\n");
    QVERIFY(result.ok());
    const AccessList &list = *result.list;
    QCOMPARE(list.roleOf(kAlice), Role::Trader);
    QCOMPARE(list.roleOf(kRoom), Role::Viewer);
    QVERIFY(!list.roleOf(kBob));
    QVERIFY(list.mayTrade(kAlice, AccountId{1}));
    QVERIFY(list.mayTrade(kAlice, AccountId{2}));
    QVERIFY(!list.mayTrade(kAlice, AccountId{3}));
    QVERIFY(!list.mayTrade(kRoom, AccountId{1}));
    QVERIFY(!list.mayTrade(kBob, AccountId{1}));
}

void TestAccessList::orderChecksNameTheReason()
{
    const AccessListResult result = parse("trader " + kAlice + " accounts 7\nviewer " + kRoom);
    QVERIFY(result.ok());
    const AccessList &list = *result.list;
    QCOMPARE(list.checkOrder(kAlice, AccountId{7}), OrderPermission::Allowed);
    QCOMPARE(list.checkOrder(kAlice, AccountId{8}), OrderPermission::AccountNotAllowed);
    QCOMPARE(list.checkOrder(kRoom, AccountId{7}), OrderPermission::ViewerRole);
    QCOMPARE(list.checkOrder(kBob, AccountId{7}), OrderPermission::UnknownKey);
    QCOMPARE(orderPermissionText(OrderPermission::ViewerRole),
             "the key is a viewer's, which may not send orders");
}

void TestAccessList::keyContainingHashKeptWhole()
{
    const AccessListResult result = parse("viewer " + kHashKey + " # screen\n");
    QVERIFY2(result.ok(), result.ok() ? "" : result.errors[0].toString().c_str());
    QCOMPARE(result.list->entries()[0].publicKey, kHashKey);
    QCOMPARE(result.list->entries()[0].comment, "screen");
}

void TestAccessList::emptyFileGivesEmptyList()
{
    const AccessListResult result = parse("# nobody yet\n\n");
    QVERIFY(result.ok());
    QCOMPARE(result.list->size(), 0u);
    QVERIFY(!result.list->roleOf(kAlice));
}

void TestAccessList::malformedLines_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");

    const QString alice = QString::fromStdString(kAlice);
    QTest::newRow("unknown role") << "admin " + alice + " accounts 1"
                                  << "terminals.access:1:1: error: unknown role 'admin': expected "
                                     "trader or viewer";
    QTest::newRow("role in capitals")
        << "# desk\nTrader " + alice + " accounts 1"
        << "terminals.access:2:1: error: unknown role 'Trader': expected trader or viewer";
    QTest::newRow("missing key") << "  viewer   # nobody"
                                 << "terminals.access:1:9: error: missing the public key after "
                                    "'viewer'";
    QTest::newRow("key too short")
        << "viewer abc"
        << "terminals.access:1:8: error: invalid public key 'abc': it is 3 characters long; a "
           "Z85 CURVE key has 40";
    QTest::newRow("key with a non-Z85 character")
        << "viewer " + QString(20, QLatin1Char('0')) + "~" + QString(19, QLatin1Char('0'))
        << "terminals.access:1:8: error: invalid public key '" + QString(20, QLatin1Char('0')) +
               "~" + QString(19, QLatin1Char('0')) +
               "': it has a character that is not Z85 at position 21";
    QTest::newRow("comment glued to the key")
        << "viewer " + alice + "#room"
        << "terminals.access:1:8: error: invalid public key '" + alice +
               "#room': it is 45 characters long; a Z85 CURVE key has 40";
    QTest::newRow("duplicate key")
        << "trader " + alice + " accounts 1\n\nviewer " + alice
        << "terminals.access:3:8: error: duplicate key: line 1 lists it already";
    QTest::newRow("trader without accounts")
        << "trader " + alice + " # alice"
        << "terminals.access:1:48: error: a trader needs 'accounts LIST' after its key, such as "
           "'accounts 1,2'";
    QTest::newRow("trader with another word")
        << "trader " + alice + " account 1"
        << "terminals.access:1:49: error: a trader needs 'accounts LIST' after its key, such as "
           "'accounts 1,2'";
    QTest::newRow("empty account list")
        << "trader " + alice + " accounts   # alice"
        << "terminals.access:1:57: error: empty account list: give the accounts the key may "
           "trade, such as 'accounts 1,2'";
    QTest::newRow("trailing comma") << "trader " + alice + " accounts 1,"
                                    << "terminals.access:1:60: error: empty item in the account "
                                       "list";
    QTest::newRow("account zero") << "trader " + alice + " accounts 1, 0"
                                  << "terminals.access:1:61: error: invalid account '0': "
                                     "expected a whole number from 1";
    QTest::newRow("account not a number") << "trader " + alice + " accounts alice"
                                          << "terminals.access:1:58: error: invalid account "
                                             "'alice': expected a whole number from 1";
    QTest::newRow("account past 32 bits") << "trader " + alice + " accounts 4294967296"
                                          << "terminals.access:1:58: error: invalid account "
                                             "'4294967296': expected a whole number from 1";
    QTest::newRow("account listed twice") << "trader " + alice + " accounts 3,4,3"
                                          << "terminals.access:1:62: error: account 3 is listed "
                                             "twice";
    QTest::newRow("viewer with accounts")
        << "viewer " + alice + " accounts 1"
        << "terminals.access:1:49: error: unexpected 'accounts' after a viewer's key: a viewer "
           "trades no accounts";
    QTest::newRow("binary junk")
        << QString::fromLatin1("\x01\x02garbage")
        << "terminals.access:1:1: error: unknown role '\\x01\\x02garbage': expected trader or "
           "viewer";
}

void TestAccessList::malformedLines()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const AccessListResult result = parse(text.toStdString());
    QVERIFY(!result.ok());
    QVERIFY(!result.list);
    QCOMPARE(result.errors.size(), 1u);
    QCOMPARE(QString::fromStdString(result.errors[0].toString()), error);
}

void TestAccessList::errorsOfSeveralLinesReportedTogether()
{
    const AccessListResult result = parse("viewer x\ntrader " + kAlice + " accounts 1\nfoo\n");
    QCOMPARE(result.errors.size(), 2u);
    QCOMPARE(result.errors[0].line, 1u);
    QCOMPARE(result.errors[1].line, 3u);

    std::string many;
    for (int line = 0; line < 30; ++line)
        many += "nobody\n";
    QCOMPARE(parse(many).errors.size(), kMaximumAccessListErrors);
}

void TestAccessList::missingFileNamed()
{
    const AccessListResult result = loadAccessList("/nonexistent/terminals.access");
    QVERIFY(!result.ok());
    QCOMPARE(result.errors[0].toString(),
             "/nonexistent/terminals.access: error: cannot open the access list: No such file or "
             "directory");
}

void TestAccessList::fileLoadedFromDisk()
{
    QTemporaryDir folder;
    const std::string path = folder.filePath("terminals.access").toStdString();
    std::ofstream(path) << "trader " << kBob << " accounts 5 # bob\n";
    const AccessListResult result = loadAccessList(path);
    QVERIFY(result.ok());
    QCOMPARE(result.list->fileName(), path);
    QVERIFY(result.list->mayTrade(kBob, AccountId{5}));
}

QTEST_GUILESS_MAIN(TestAccessList)
#include "tst_access_list.moc"
