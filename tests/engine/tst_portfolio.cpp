// Accounts, fees, positions and P&L (engine/portfolio.h). Every expected amount was computed by
// hand. In money literals a digit separator marks the decimal point: at two money decimals
// Money{883'84} is 883.84, and at four Money{883'8486} is 883.8486. An amount below one has no
// separator, as a leading zero would make the literal octal: at four decimals 5000 is 0.5000.
// Fee rates are in hundredths of a basis point (parts per million), so FeeRate{7'00} is 7 bp.

#include "portfolio.h"

#include <QTest>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <random>

using namespace bourse;

// Counts every allocation through the global operator new, so a test can show that posting a
// fill of a known position allocates nothing.
namespace {
std::uint64_t allocationCount = 0;
} // namespace

void *operator new(std::size_t size)
{
    ++allocationCount;
    if (void *memory = std::malloc(size == 0 ? 1 : size))
        return memory;
    throw std::bad_alloc{};
}

void operator delete(void *memory) noexcept
{
    std::free(memory);
}

void operator delete(void *memory, std::size_t) noexcept
{
    std::free(memory);
}

// Readable values in QCOMPARE's failure messages.
namespace bourse {

QByteArray decimalOf(ExactCost value)
{
    const bool negative = value < 0;
    auto magnitude = negative ? detail::UInt128{0} - static_cast<detail::UInt128>(value)
                              : static_cast<detail::UInt128>(value);
    QByteArray digits;
    do {
        digits.prepend(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
        magnitude /= 10;
    } while (magnitude != 0);
    return negative ? "-" + digits : digits;
}

char *toString(Money amount)
{
    return qstrdup(QByteArray::number(amount.value()).constData());
}

char *toString(Quantity quantity)
{
    return qstrdup(QByteArray::number(quantity.value()).constData());
}

char *toString(const AveragePrice &average)
{
    return qstrdup(
        (decimalOf(average.numerator) + '/' + decimalOf(average.denominator)).constData());
}

} // namespace bourse

namespace {

constexpr AccountId kAccount{7};
constexpr AccountId kOtherAccount{8};
constexpr InstrumentId kInstrument{3};
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

QString nameString(std::string_view name)
{
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

QString resultName(PortfolioResult result)
{
    return nameString(nameOf(result));
}

QString text(const DecimalText &decimal)
{
    return nameString(decimal.view());
}

// One instrument and one account, the setting most tests start from.
struct Setup {
    int priceDecimals = 0;
    int quantityDecimals = 0;
    std::int64_t multiplier = 1;
    int moneyDecimals = 2;
    AccountType type = AccountType::Margin;
    Money balance{0};
    AccountFees fees{};
};

InstrumentDefinition definition(InstrumentId id, const Setup &setup,
                                std::string_view currency = "USD")
{
    InstrumentDefinition result;
    result.id = id;
    result.currency = currencyCode(currency);
    result.priceDecimals = static_cast<std::uint8_t>(setup.priceDecimals);
    result.quantityDecimals = static_cast<std::uint8_t>(setup.quantityDecimals);
    result.multiplier = setup.multiplier;
    return result;
}

AccountSettings settings(AccountId id, const Setup &setup)
{
    return AccountSettings{id, currencyCode("USD"), static_cast<std::uint8_t>(setup.moneyDecimals),
                           setup.type, setup.fees};
}

bool setUp(Portfolio &portfolio, const Setup &setup)
{
    return portfolio.addInstrument(definition(kInstrument, setup)) == PortfolioResult::Ok &&
           portfolio.openAccount(settings(kAccount, setup), setup.balance) == PortfolioResult::Ok;
}

Fill fill(SequenceNumber sequence, Side side, std::int64_t price, std::int64_t quantity,
          LiquidityRole role = LiquidityRole::Taker, AccountId account = kAccount)
{
    return Fill{sequence, account, kInstrument, side, Price{price}, Quantity{quantity}, role};
}

Fill buy(SequenceNumber sequence, std::int64_t price, std::int64_t quantity,
         LiquidityRole role = LiquidityRole::Taker)
{
    return fill(sequence, Side::Buy, price, quantity, role);
}

Fill sell(SequenceNumber sequence, std::int64_t price, std::int64_t quantity,
          LiquidityRole role = LiquidityRole::Taker)
{
    return fill(sequence, Side::Sell, price, quantity, role);
}

const Position &positionOf(const Portfolio &portfolio)
{
    static const Position none;
    const Position *position = portfolio.position(kAccount, kInstrument);
    return position ? *position : none;
}

Money balanceOf(const Portfolio &portfolio, AccountId id = kAccount)
{
    const Account *account = portfolio.account(id);
    return account ? account->balance : Money{-1};
}

qint64 narrow(ExactCost value)
{
    return static_cast<qint64>(value);
}

} // namespace

class TestPortfolio : public QObject {
    Q_OBJECT

private slots:
    void crossingZeroClosesAndReopens();
    void takerFeePostedOnce();
    void roundTripPaysBothFees_data();
    void roundTripPaysBothFees();
    void partialFillsAverageExactly();
    void reduceKeepsAverageAndRealizesPart();
    void increaseAfterReduceCarriesCost();
    void shortPositionRealizesOnCover();
    void feesByRole_data();
    void feesByRole();
    void perUnitAndMinimumFees_data();
    void perUnitAndMinimumFees();
    void multiplierScalesAmounts();
    void cashAccountNeedsCash();
    void cashAccountCannotShort();
    void hugeFillIsOutOfRange();
    void balanceOverflowIsOutOfRange();
    void invalidFillRejected_data();
    void invalidFillRejected();
    void duplicateFillsRejected();
    void failedFillCanBeRetried();
    void fillsOfTradeSplitRoles();
    void accountSetupErrors();
    void markPriceErrors();
    void cashAndMarginAgreeWhenFlat();
    void stateRoundTrips();
    void hashCoversEveryField_data();
    void hashCoversEveryField();
    void openCostRoundsHalfToEven_data();
    void openCostRoundsHalfToEven();
    void reduceRealizesAgainstRoundedCost();
    void loadRejectsBadState_data();
    void loadRejectsBadState();
    void postingKnownPositionAllocatesNothing();
};

// SELL 10@100, BUY 15@90, MARK 95: the buy covers the short of 10 (realized (100 - 90) * 10 =
// +100) and opens a long of 5 at 90, worth (95 - 90) * 5 = +25 at the mark.
void TestPortfolio::crossingZeroClosesAndReopens()
{
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, Setup{}));

    const PostedFill opened = portfolio.post(sell(1, 100, 10));
    QCOMPARE(resultName(opened.result), resultName(PortfolioResult::Ok));
    QCOMPARE(opened.realizedProfitAndLoss, Money{0});
    QCOMPARE(opened.notional, Money{-1000'00});

    const PostedFill crossed = portfolio.post(buy(2, 90, 15));
    QCOMPARE(resultName(crossed.result), resultName(PortfolioResult::Ok));
    QCOMPARE(crossed.realizedProfitAndLoss, Money{100'00});
    QCOMPARE(crossed.notional, Money{1350'00});
    QCOMPARE(crossed.cashChange, Money{100'00});

    const Position &position = positionOf(portfolio);
    QCOMPARE(position.quantity, Quantity{5});
    QCOMPARE(averagePrice(position), (AveragePrice{90, 1}));
    QCOMPARE(openMoneyCost(position), Money{450'00});
    QCOMPARE(position.realizedProfitAndLoss, Money{100'00});
    QCOMPARE(position.fillCount, std::uint64_t{2});

    const MoneyResult unrealized =
        portfolio.unrealizedProfitAndLoss(kAccount, kInstrument, Price{95});
    QCOMPARE(resultName(unrealized.result), resultName(PortfolioResult::Ok));
    QCOMPARE(unrealized.value, Money{25'00});
    QCOMPARE(balanceOf(portfolio), Money{100'00});
}

// Margin account with 1000, taker fee 4 bp: BUY 10@29037.85 is 290378.50 notional, and 0.0004 of
// it is 116.1514, which leaves 883.8486. The same fill again is a duplicate and charges nothing.
void TestPortfolio::takerFeePostedOnce()
{
    Setup setup;
    setup.priceDecimals = 2;
    setup.moneyDecimals = 4;
    setup.balance = Money{1000'0000};
    setup.fees.taker = FeeRate::fromBasisPoints(4);
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));

    const Fill marketBuy = buy(41, 29037'85, 10, LiquidityRole::Taker);
    const PostedFill posted = portfolio.post(marketBuy);
    QCOMPARE(resultName(posted.result), resultName(PortfolioResult::Ok));
    QCOMPARE(posted.fee, Money{116'1514});
    QCOMPARE(posted.notional, Money{290378'5000});
    QCOMPARE(posted.cashChange, Money{-116'1514});
    QCOMPARE(balanceOf(portfolio), Money{883'8486});
    QCOMPARE(positionOf(portfolio).feesPaid, Money{116'1514});

    const Portfolio before = portfolio;
    const std::uint64_t hashBefore = portfolio.stateHash();
    const PostedFill repeated = portfolio.post(marketBuy);
    QCOMPARE(resultName(repeated.result), resultName(PortfolioResult::DuplicateFill));
    QCOMPARE(repeated.fee, Money{0});
    QCOMPARE(repeated.cashChange, Money{0});
    QCOMPARE(balanceOf(portfolio), Money{883'8486});
    QCOMPARE(positionOf(portfolio).feesPaid, Money{116'1514});
    QCOMPARE(positionOf(portfolio).fillCount, std::uint64_t{1});
    QVERIFY(portfolio == before);
    QCOMPARE(portfolio.stateHash(), hashBefore);
}

// Prices and sizes with 8 decimals, 5 bp a side: BUY 5@100000 and SELL 5@100000 each trade
// 500000.00 and pay 250.00, so the round trip realizes 0 and costs 500.00 in fees.
void TestPortfolio::roundTripPaysBothFees_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<qint64>("balance");
    QTest::addColumn<qint64>("balanceAfterBuy");

    QTest::newRow("cash account") << int(AccountType::Cash) << qint64{1'000'000'00}
                                  << qint64{499'750'00};
    QTest::newRow("margin account")
        << int(AccountType::Margin) << qint64{1000'00} << qint64{750'00};
}

void TestPortfolio::roundTripPaysBothFees()
{
    QFETCH(int, type);
    QFETCH(qint64, balance);
    QFETCH(qint64, balanceAfterBuy);

    Setup setup;
    setup.priceDecimals = 8;
    setup.quantityDecimals = 8;
    setup.type = static_cast<AccountType>(type);
    setup.balance = Money{balance};
    setup.fees.maker = FeeRate::fromBasisPoints(5);
    setup.fees.taker = FeeRate::fromBasisPoints(5);
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));

    const std::int64_t price = 100000'00000000;
    const std::int64_t quantity = 5'00000000;
    const PostedFill bought = portfolio.post(buy(1, price, quantity));
    QCOMPARE(resultName(bought.result), resultName(PortfolioResult::Ok));
    QCOMPARE(bought.fee, Money{250'00});
    QCOMPARE(balanceOf(portfolio), Money{balanceAfterBuy});

    const PostedFill sold = portfolio.post(sell(2, price, quantity, LiquidityRole::Maker));
    QCOMPARE(resultName(sold.result), resultName(PortfolioResult::Ok));
    QCOMPARE(sold.fee, Money{250'00});
    QCOMPARE(sold.realizedProfitAndLoss, Money{0});

    const Position &position = positionOf(portfolio);
    QCOMPARE(position.quantity, Quantity{0});
    QCOMPARE(position.realizedProfitAndLoss, Money{0});
    QCOMPARE(position.feesPaid, Money{500'00});
    QCOMPARE(balanceOf(portfolio), Money{balance - 500'00});
}

// 10@100 and 20@101 cost 1000 + 2020 = 3020 for 30: an average of 302/3 = 100.666...
void TestPortfolio::partialFillsAverageExactly()
{
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, Setup{}));
    QCOMPARE(resultName(portfolio.post(buy(1, 100, 10)).result), resultName(PortfolioResult::Ok));
    QCOMPARE(resultName(portfolio.post(buy(2, 101, 20)).result), resultName(PortfolioResult::Ok));

    const Position &position = positionOf(portfolio);
    QCOMPARE(position.quantity, Quantity{30});
    QCOMPARE(position.basisQuantity, Quantity{30});
    QCOMPARE(narrow(position.basisCost), qint64{3020'000000000}); // 3020 at 9 extra decimals
    QCOMPARE(openMoneyCost(position), Money{3020'00});

    const AveragePrice average = averagePrice(position);
    QCOMPARE(narrow(average.numerator), qint64{302});
    QCOMPARE(narrow(average.denominator), qint64{3});
    QCOMPARE(text(toDecimalText(average, 0, 4)), QStringLiteral("100.6667"));
    QCOMPARE(text(toDecimalText(average, 0, 0)), QStringLiteral("101"));
    QCOMPARE(roundAveragePrice(average, 2).value, std::int64_t{100'67});

    // At 101 the 30 are worth 3030, 10 more than they cost.
    QCOMPARE(portfolio.unrealizedProfitAndLoss(kAccount, kInstrument, Price{101}).value,
             Money{10'00});
}

// From 30 at 302/3: SELL 10@102 takes away 3020.00 - 2013.33 = 1006.67 of cost and brings in
// 1020.00, realizing 13.33. The average stays 302/3. SELL 20@99 then takes the last 2013.33 and
// brings in 1980.00: -33.33, so the trip realized -20.00 = 3000 sold - 3020 bought.
void TestPortfolio::reduceKeepsAverageAndRealizesPart()
{
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, Setup{}));
    portfolio.post(buy(1, 100, 10));
    portfolio.post(buy(2, 101, 20));

    const PostedFill reduced = portfolio.post(sell(3, 102, 10));
    QCOMPARE(resultName(reduced.result), resultName(PortfolioResult::Ok));
    QCOMPARE(reduced.realizedProfitAndLoss, Money{13'33});
    QCOMPARE(reduced.cashChange, Money{13'33});

    const Position &position = positionOf(portfolio);
    QCOMPARE(position.quantity, Quantity{20});
    QCOMPARE(position.basisQuantity, Quantity{30});
    QCOMPARE(averagePrice(position), (AveragePrice{302, 3}));
    QCOMPARE(openMoneyCost(position), Money{2013'33});

    const PostedFill closed = portfolio.post(sell(4, 99, 20));
    QCOMPARE(closed.realizedProfitAndLoss, Money{-33'33});
    const Position &flat = positionOf(portfolio);
    QCOMPARE(flat.quantity, Quantity{0});
    QCOMPARE(flat.basisQuantity, Quantity{0});
    QVERIFY(flat.basisCost == 0);
    QCOMPARE(flat.basisMoneyCost, Money{0});
    QCOMPARE(averagePrice(flat), (AveragePrice{0, 1}));
    QCOMPARE(flat.realizedProfitAndLoss, Money{-20'00});
    QCOMPARE(balanceOf(portfolio), Money{-20'00});
    QCOMPARE(portfolio.unrealizedProfitAndLoss(kAccount, kInstrument, Price{50}).value, Money{0});
}

// From 20 left of a basis of 30 at 302/3, BUY 10@102: the 20 carry 3020 * 20 / 30 =
// 2013.333333333 (rounded at the ninth extra decimal), and the new 30 cost 3033.333333333: an
// average of 101.1111111111 = 1011111111111 / 10^10. In money the 20 carry 2013.33, so the
// open cost is 3033.33, and at 102 the 30 are worth 3060.00: 26.67 more.
void TestPortfolio::increaseAfterReduceCarriesCost()
{
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, Setup{}));
    portfolio.post(buy(1, 100, 10));
    portfolio.post(buy(2, 101, 20));
    portfolio.post(sell(3, 102, 10));

    const PostedFill added = portfolio.post(buy(4, 102, 10));
    QCOMPARE(resultName(added.result), resultName(PortfolioResult::Ok));
    QCOMPARE(added.realizedProfitAndLoss, Money{0});

    const Position &position = positionOf(portfolio);
    QCOMPARE(position.quantity, Quantity{30});
    QCOMPARE(position.basisQuantity, Quantity{30});
    QCOMPARE(narrow(position.basisCost), qint64{3033'333333333});
    QCOMPARE(position.basisMoneyCost, Money{3033'33});

    const AveragePrice average = averagePrice(position);
    QCOMPARE(narrow(average.numerator), qint64{1011111111111});
    QCOMPARE(narrow(average.denominator), qint64{10000000000});
    QCOMPARE(text(toDecimalText(average, 0, 4)), QStringLiteral("101.1111"));
    QCOMPARE(portfolio.unrealizedProfitAndLoss(kAccount, kInstrument, Price{102}).value,
             Money{26'67});
}

// SELL 10@50, BUY 4@45: the cover realizes (50 - 45) * 4 = +20 and leaves a short of 6 at 50.
void TestPortfolio::shortPositionRealizesOnCover()
{
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, Setup{}));
    portfolio.post(sell(1, 50, 10));
    const PostedFill covered = portfolio.post(buy(2, 45, 4));
    QCOMPARE(covered.realizedProfitAndLoss, Money{20'00});

    const Position &position = positionOf(portfolio);
    QCOMPARE(position.quantity, Quantity{-6});
    QCOMPARE(averagePrice(position), (AveragePrice{50, 1}));
    QCOMPARE(openMoneyCost(position), Money{-300'00});
    QCOMPARE(position.basisQuantity, Quantity{-10});

    // A short gains when the price falls: 6 * (50 - 45) = 30, and loses 6 * 5 = 30 at 55.
    QCOMPARE(portfolio.unrealizedProfitAndLoss(kAccount, kInstrument, Price{45}).value,
             Money{30'00});
    QCOMPARE(portfolio.unrealizedProfitAndLoss(kAccount, kInstrument, Price{55}).value,
             Money{-30'00});
    QCOMPARE(balanceOf(portfolio), Money{20'00});
}

// Maker 1 bp, taker 5 bp, and a maker rebate of 0.25 bp, on 100@50.00 = 5000.00 at four money
// decimals; the last row rounds 3 bp of 7@33.33 = 233.31, which is 0.069993, up to 0.0700.
void TestPortfolio::feesByRole_data()
{
    QTest::addColumn<qint64>("makerRate"); // hundredths of a basis point
    QTest::addColumn<qint64>("takerRate");
    QTest::addColumn<int>("role");
    QTest::addColumn<qint64>("price");
    QTest::addColumn<qint64>("quantity");
    QTest::addColumn<qint64>("expectedFee");

    QTest::newRow("maker 1 bp") << qint64{1'00} << qint64{5'00} << int(LiquidityRole::Maker)
                                << qint64{50'00} << qint64{100} << qint64{5000};
    QTest::newRow("taker 5 bp") << qint64{1'00} << qint64{5'00} << int(LiquidityRole::Taker)
                                << qint64{50'00} << qint64{100} << qint64{2'5000};
    QTest::newRow("maker rebate 0.25 bp")
        << qint64{-25} << qint64{5'00} << int(LiquidityRole::Maker) << qint64{50'00} << qint64{100}
        << qint64{-1250};
    QTest::newRow("taker 3 bp rounds up")
        << qint64{1'00} << qint64{3'00} << int(LiquidityRole::Taker) << qint64{33'33} << qint64{7}
        << qint64{700};
}

void TestPortfolio::feesByRole()
{
    QFETCH(qint64, makerRate);
    QFETCH(qint64, takerRate);
    QFETCH(int, role);
    QFETCH(qint64, price);
    QFETCH(qint64, quantity);
    QFETCH(qint64, expectedFee);

    Setup setup;
    setup.priceDecimals = 2;
    setup.moneyDecimals = 4;
    setup.balance = Money{100'0000};
    setup.fees.maker = FeeRate{makerRate};
    setup.fees.taker = FeeRate{takerRate};
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));

    const PostedFill posted =
        portfolio.post(buy(1, price, quantity, static_cast<LiquidityRole>(role)));
    QCOMPARE(resultName(posted.result), resultName(PortfolioResult::Ok));
    QCOMPARE(posted.fee, Money{expectedFee});
    QCOMPARE(positionOf(portfolio).feesPaid, Money{expectedFee});
    QCOMPARE(balanceOf(portfolio), Money{100'0000 - expectedFee});
}

// 0.005 a share with a 1.00 minimum, at four money decimals: 100 shares pay 0.50, raised to the
// minimum; 1000 pay 5.00; with 1 bp on 1000@10.00 = 10000.00 on top, 1.00 + 5.00 = 6.00.
void TestPortfolio::perUnitAndMinimumFees_data()
{
    QTest::addColumn<qint64>("rate"); // hundredths of a basis point
    QTest::addColumn<qint64>("quantity");
    QTest::addColumn<qint64>("expectedFee");

    QTest::newRow("minimum applies") << qint64{0} << qint64{100} << qint64{1'0000};
    QTest::newRow("per share above minimum") << qint64{0} << qint64{1000} << qint64{5'0000};
    QTest::newRow("rate plus per share") << qint64{1'00} << qint64{1000} << qint64{6'0000};
}

void TestPortfolio::perUnitAndMinimumFees()
{
    QFETCH(qint64, rate);
    QFETCH(qint64, quantity);
    QFETCH(qint64, expectedFee);

    Setup setup;
    setup.priceDecimals = 2;
    setup.moneyDecimals = 4;
    setup.type = AccountType::Cash;
    setup.balance = Money{20000'0000};
    setup.fees.taker = FeeRate{rate};
    setup.fees.perUnit = Money{50};
    setup.fees.minimum = Money{1'0000};
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));

    const PostedFill posted = portfolio.post(buy(1, 10'00, quantity));
    QCOMPARE(resultName(posted.result), resultName(PortfolioResult::Ok));
    QCOMPARE(posted.fee, Money{expectedFee});
    // A cash account pays the notional and the fee.
    QCOMPARE(posted.cashChange, Money{-(quantity * 10'0000) - expectedFee});
}

// A futures-like contract of 50 currency units per point, 2.50 a contract in fees: BUY 2@4500.25
// is 4500.25 * 2 * 50 = 450025.00; at 4505.00 it is up (4505 - 4500.25) * 100 = 475.00; SELL
// 2@4510.00 realizes (4510 - 4500.25) * 100 = 975.00. Cash moves by 975.00 - 5.00 - 5.00.
void TestPortfolio::multiplierScalesAmounts()
{
    Setup setup;
    setup.priceDecimals = 2;
    setup.multiplier = 50;
    setup.balance = Money{10000'00};
    setup.fees.perUnit = Money{2'50};
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));

    const PostedFill bought = portfolio.post(buy(1, 4500'25, 2));
    QCOMPARE(bought.notional, Money{450025'00});
    QCOMPARE(bought.fee, Money{5'00});
    QCOMPARE(bought.cashChange, Money{-5'00});
    QCOMPARE(averagePrice(positionOf(portfolio)), (AveragePrice{4500'25, 1}));
    QCOMPARE(portfolio.unrealizedProfitAndLoss(kAccount, kInstrument, Price{4505'00}).value,
             Money{475'00});

    const PostedFill sold = portfolio.post(sell(2, 4510'00, 2));
    QCOMPARE(sold.realizedProfitAndLoss, Money{975'00});
    QCOMPARE(sold.cashChange, Money{970'00});
    QCOMPARE(positionOf(portfolio).feesPaid, Money{10'00});
    QCOMPARE(balanceOf(portfolio), Money{10965'00});
}

// A cash account with 1000.00 cannot pay 10@101 = 1010.00: InsufficientCash, and nothing
// changes. After a deposit of 10.00 the same fill posts and leaves exactly zero.
void TestPortfolio::cashAccountNeedsCash()
{
    Setup setup;
    setup.type = AccountType::Cash;
    setup.balance = Money{1000'00};
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));

    const Portfolio before = portfolio;
    const PostedFill previewed = portfolio.preview(buy(1, 101, 10));
    QCOMPARE(resultName(previewed.result), resultName(PortfolioResult::InsufficientCash));
    const PostedFill rejected = portfolio.post(buy(1, 101, 10));
    QCOMPARE(resultName(rejected.result), resultName(PortfolioResult::InsufficientCash));
    QCOMPARE(rejected.cashChange, Money{0});
    QVERIFY(portfolio == before);
    QVERIFY(!portfolio.position(kAccount, kInstrument));

    QCOMPARE(resultName(portfolio.transferCash(kAccount, Money{10'00})),
             resultName(PortfolioResult::Ok));
    QCOMPARE(resultName(portfolio.preview(buy(1, 101, 10)).result),
             resultName(PortfolioResult::Ok));
    QCOMPARE(balanceOf(portfolio), Money{1010'00}); // preview changed nothing
    const PostedFill posted = portfolio.post(buy(1, 101, 10));
    QCOMPARE(resultName(posted.result), resultName(PortfolioResult::Ok));
    QCOMPARE(posted.cashChange, Money{-1010'00});
    QCOMPARE(balanceOf(portfolio), Money{0});
    QCOMPARE(positionOf(portfolio).quantity, Quantity{10});
}

void TestPortfolio::cashAccountCannotShort()
{
    Setup setup;
    setup.type = AccountType::Cash;
    setup.balance = Money{1000'00};
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));

    QCOMPARE(resultName(portfolio.post(sell(1, 100, 1)).result),
             resultName(PortfolioResult::ShortSaleNotAllowed));
    QVERIFY(!portfolio.position(kAccount, kInstrument));
    QCOMPARE(resultName(portfolio.post(buy(2, 100, 5)).result), resultName(PortfolioResult::Ok));
    QCOMPARE(resultName(portfolio.post(sell(3, 110, 6)).result),
             resultName(PortfolioResult::ShortSaleNotAllowed));

    // Selling its whole position is fine: 5 * 110 = 550.00 back, 50.00 realized.
    const PostedFill sold = portfolio.post(sell(4, 110, 5));
    QCOMPARE(resultName(sold.result), resultName(PortfolioResult::Ok));
    QCOMPARE(sold.cashChange, Money{550'00});
    QCOMPARE(sold.realizedProfitAndLoss, Money{50'00});
    QCOMPARE(balanceOf(portfolio), Money{1050'00});
}

// 10^15 price units * 10^12 quantity units * 10^6 = 10^33 money units: far past int64.
void TestPortfolio::hugeFillIsOutOfRange()
{
    Setup setup;
    setup.multiplier = 1'000'000;
    setup.moneyDecimals = 0;
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));
    portfolio.post(buy(1, 10, 1));

    const Portfolio before = portfolio;
    const std::uint64_t hashBefore = portfolio.stateHash();
    const PostedFill huge = portfolio.post(buy(2, kMaximumPrice.value(), kMaximumQuantity.value()));
    QCOMPARE(resultName(huge.result), resultName(PortfolioResult::OutOfRange));
    QCOMPARE(huge.notional, Money{0});
    QVERIFY(portfolio == before);
    QCOMPARE(portfolio.stateHash(), hashBefore);

    // A position quantity past int64: each fill is cheap, but together they do not fit.
    Setup tiny;
    tiny.quantityDecimals = 18;
    Portfolio large;
    QVERIFY(setUp(large, tiny));
    QCOMPARE(resultName(large.post(buy(1, 1, kInt64Max - 1)).result),
             resultName(PortfolioResult::Ok));
    const Portfolio beforeSecond = large;
    QCOMPARE(resultName(large.post(buy(2, 1, 2)).result), resultName(PortfolioResult::OutOfRange));
    QVERIFY(large == beforeSecond);
}

// A margin balance near the int64 limit cannot take a realized gain that pushes it past.
void TestPortfolio::balanceOverflowIsOutOfRange()
{
    Setup setup;
    setup.moneyDecimals = 0;
    setup.balance = Money{kInt64Max - 5};
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));
    QCOMPARE(resultName(portfolio.post(buy(1, 100, 1)).result), resultName(PortfolioResult::Ok));

    const Portfolio before = portfolio;
    const PostedFill gain = portfolio.post(sell(2, 110, 1));
    QCOMPARE(resultName(gain.result), resultName(PortfolioResult::OutOfRange));
    QVERIFY(portfolio == before);
    QCOMPARE(resultName(portfolio.post(sell(2, 104, 1)).result), resultName(PortfolioResult::Ok));
    QCOMPARE(balanceOf(portfolio), Money{kInt64Max - 1});
}

void TestPortfolio::invalidFillRejected_data()
{
    QTest::addColumn<qulonglong>("sequence");
    QTest::addColumn<uint>("account");
    QTest::addColumn<uint>("instrument");
    QTest::addColumn<qint64>("price");
    QTest::addColumn<qint64>("quantity");
    QTest::addColumn<int>("expected");

    const auto account = kAccount.value();
    const auto instrument = kInstrument.value();
    QTest::newRow("sequence zero") << qulonglong{0} << account << instrument << qint64{100}
                                   << qint64{1} << int(PortfolioResult::InvalidSequence);
    QTest::newRow("price zero") << qulonglong{1} << account << instrument << qint64{0} << qint64{1}
                                << int(PortfolioResult::InvalidPrice);
    QTest::newRow("negative price") << qulonglong{1} << account << instrument << qint64{-5}
                                    << qint64{1} << int(PortfolioResult::InvalidPrice);
    QTest::newRow("quantity zero") << qulonglong{1} << account << instrument << qint64{100}
                                   << qint64{0} << int(PortfolioResult::InvalidQuantity);
    QTest::newRow("negative quantity") << qulonglong{1} << account << instrument << qint64{100}
                                       << qint64{-3} << int(PortfolioResult::InvalidQuantity);
    QTest::newRow("unknown account") << qulonglong{1} << 99U << instrument << qint64{100}
                                     << qint64{1} << int(PortfolioResult::UnknownAccount);
    QTest::newRow("unknown instrument") << qulonglong{1} << account << 99U << qint64{100}
                                        << qint64{1} << int(PortfolioResult::UnknownInstrument);
    QTest::newRow("instrument in euros") << qulonglong{1} << account << 4U << qint64{100}
                                         << qint64{1} << int(PortfolioResult::CurrencyMismatch);
}

void TestPortfolio::invalidFillRejected()
{
    QFETCH(qulonglong, sequence);
    QFETCH(uint, account);
    QFETCH(uint, instrument);
    QFETCH(qint64, price);
    QFETCH(qint64, quantity);
    QFETCH(int, expected);

    Portfolio portfolio;
    QVERIFY(setUp(portfolio, Setup{}));
    QCOMPARE(portfolio.addInstrument(definition(InstrumentId{4}, Setup{}, "EUR")),
             PortfolioResult::Ok);
    const Portfolio before = portfolio;

    const Fill rejected{sequence,     AccountId{account}, InstrumentId{instrument}, Side::Buy,
                        Price{price}, Quantity{quantity}, LiquidityRole::Taker};
    QCOMPARE(resultName(portfolio.post(rejected).result),
             resultName(static_cast<PortfolioResult>(expected)));
    QVERIFY(portfolio == before);
}

// Fills must come in ascending trade sequence per account. The two sides of a self-trade share
// a sequence; each posts once.
void TestPortfolio::duplicateFillsRejected()
{
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, Setup{}));

    QCOMPARE(resultName(portfolio.post(buy(5, 100, 1)).result), resultName(PortfolioResult::Ok));
    QCOMPARE(resultName(portfolio.post(buy(5, 100, 1)).result),
             resultName(PortfolioResult::DuplicateFill));
    QCOMPARE(resultName(portfolio.post(sell(5, 100, 1, LiquidityRole::Maker)).result),
             resultName(PortfolioResult::Ok));
    QCOMPARE(resultName(portfolio.post(sell(5, 100, 1)).result),
             resultName(PortfolioResult::DuplicateFill));
    QCOMPARE(resultName(portfolio.post(buy(9, 100, 1)).result), resultName(PortfolioResult::Ok));
    QCOMPARE(resultName(portfolio.post(sell(7, 100, 1)).result),
             resultName(PortfolioResult::DuplicateFill));

    const Account *account = portfolio.account(kAccount);
    QVERIFY(account);
    QCOMPARE(account->lastFillSequence, SequenceNumber{9});
    QCOMPARE(positionOf(portfolio).fillCount, std::uint64_t{3});
    QCOMPARE(positionOf(portfolio).quantity, Quantity{1});

    // Another account has its own sequence of fills.
    QCOMPARE(portfolio.openAccount(settings(kOtherAccount, Setup{}), Money{0}),
             PortfolioResult::Ok);
    QCOMPARE(
        resultName(
            portfolio.post(fill(5, Side::Buy, 100, 1, LiquidityRole::Taker, kOtherAccount)).result),
        resultName(PortfolioResult::Ok));
}

// A fill that failed left no mark, so it posts once its problem is solved.
void TestPortfolio::failedFillCanBeRetried()
{
    Setup setup;
    setup.type = AccountType::Cash;
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));
    QCOMPARE(resultName(portfolio.post(buy(3, 100, 1)).result),
             resultName(PortfolioResult::InsufficientCash));
    QCOMPARE(portfolio.transferCash(kAccount, Money{100'00}), PortfolioResult::Ok);
    QCOMPARE(resultName(portfolio.post(buy(3, 100, 1)).result), resultName(PortfolioResult::Ok));
    QCOMPARE(resultName(portfolio.post(buy(3, 100, 1)).result),
             resultName(PortfolioResult::DuplicateFill));
}

void TestPortfolio::fillsOfTradeSplitRoles()
{
    Trade trade{};
    trade.maker = OrderId{11};
    trade.taker = OrderId{12};
    trade.aggressor = Side::Buy;
    trade.price = Price{250};
    trade.quantity = Quantity{4};
    trade.makerAccount = AccountId{21};
    trade.takerAccount = AccountId{22};

    const std::array<Fill, 2> fills = fillsOf(trade, 77, kInstrument);
    QCOMPARE(fills[0].account, AccountId{21});
    QCOMPARE(fills[0].side, Side::Sell);
    QCOMPARE(fills[0].role, LiquidityRole::Maker);
    QCOMPARE(fills[1].account, AccountId{22});
    QCOMPARE(fills[1].side, Side::Buy);
    QCOMPARE(fills[1].role, LiquidityRole::Taker);
    for (const Fill &each : fills) {
        QCOMPARE(each.tradeSequence, SequenceNumber{77});
        QCOMPARE(each.instrument, kInstrument);
        QCOMPARE(each.price, Price{250});
        QCOMPARE(each.quantity, Quantity{4});
    }
}

void TestPortfolio::accountSetupErrors()
{
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, Setup{}));

    QCOMPARE(resultName(portfolio.openAccount(settings(kAccount, Setup{}), Money{0})),
             resultName(PortfolioResult::DuplicateAccount));
    QCOMPARE(resultName(portfolio.openAccount(settings(AccountId{0}, Setup{}), Money{0})),
             resultName(PortfolioResult::InvalidAccount));
    Setup tooFine;
    tooFine.moneyDecimals = 19;
    QCOMPARE(resultName(portfolio.openAccount(settings(AccountId{30}, tooFine), Money{0})),
             resultName(PortfolioResult::InvalidAccount));
    Setup cashInDebt;
    cashInDebt.type = AccountType::Cash;
    QCOMPARE(resultName(portfolio.openAccount(settings(AccountId{31}, cashInDebt), Money{-1})),
             resultName(PortfolioResult::InvalidAccount));
    Setup overCharged;
    overCharged.fees.taker = FeeRate{1'000'001};
    QCOMPARE(resultName(portfolio.openAccount(settings(AccountId{32}, overCharged), Money{0})),
             resultName(PortfolioResult::InvalidFees));
    Setup negativeMinimum;
    negativeMinimum.fees.minimum = Money{-1};
    QCOMPARE(resultName(portfolio.openAccount(settings(AccountId{33}, negativeMinimum), Money{0})),
             resultName(PortfolioResult::InvalidFees));

    QCOMPARE(resultName(portfolio.addInstrument(definition(kInstrument, Setup{}))),
             resultName(PortfolioResult::DuplicateInstrument));
    QCOMPARE(resultName(portfolio.addInstrument(definition(InstrumentId{0}, Setup{}))),
             resultName(PortfolioResult::InvalidInstrument));
    Setup noMultiplier;
    noMultiplier.multiplier = 0;
    QCOMPARE(resultName(portfolio.addInstrument(definition(InstrumentId{5}, noMultiplier))),
             resultName(PortfolioResult::InvalidInstrument));
    Setup tooManyDecimals;
    tooManyDecimals.priceDecimals = 19;
    QCOMPARE(resultName(portfolio.addInstrument(definition(InstrumentId{6}, tooManyDecimals))),
             resultName(PortfolioResult::InvalidInstrument));

    QCOMPARE(resultName(portfolio.setFees(AccountId{99}, AccountFees{})),
             resultName(PortfolioResult::UnknownAccount));
    QCOMPARE(resultName(portfolio.setFees(kAccount, overCharged.fees)),
             resultName(PortfolioResult::InvalidFees));
    QCOMPARE(resultName(portfolio.transferCash(AccountId{99}, Money{1})),
             resultName(PortfolioResult::UnknownAccount));

    // A margin account may go below zero, a cash account may not.
    QCOMPARE(resultName(portfolio.transferCash(kAccount, Money{-50'00})),
             resultName(PortfolioResult::Ok));
    QCOMPARE(balanceOf(portfolio), Money{-50'00});
    Setup cash;
    cash.type = AccountType::Cash;
    QCOMPARE(portfolio.openAccount(settings(AccountId{34}, cash), Money{20'00}),
             PortfolioResult::Ok);
    QCOMPARE(resultName(portfolio.transferCash(AccountId{34}, Money{-20'01})),
             resultName(PortfolioResult::InsufficientCash));
    QCOMPARE(balanceOf(portfolio, AccountId{34}), Money{20'00});
    QCOMPARE(resultName(portfolio.transferCash(AccountId{34}, Money{kInt64Max})),
             resultName(PortfolioResult::OutOfRange));

    // New fees apply to the fills that follow.
    AccountFees fees;
    fees.taker = FeeRate::fromBasisPoints(10);
    QCOMPARE(portfolio.setFees(kAccount, fees), PortfolioResult::Ok);
    QCOMPARE(portfolio.post(buy(1, 100, 10)).fee, Money{1'00});
}

void TestPortfolio::markPriceErrors()
{
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, Setup{}));
    QCOMPARE(
        resultName(portfolio.unrealizedProfitAndLoss(AccountId{99}, kInstrument, Price{1}).result),
        resultName(PortfolioResult::UnknownAccount));
    QCOMPARE(
        resultName(portfolio.unrealizedProfitAndLoss(kAccount, InstrumentId{99}, Price{1}).result),
        resultName(PortfolioResult::UnknownInstrument));
    QCOMPARE(resultName(portfolio.unrealizedProfitAndLoss(kAccount, kInstrument, Price{0}).result),
             resultName(PortfolioResult::InvalidPrice));
    const MoneyResult neverTraded =
        portfolio.unrealizedProfitAndLoss(kAccount, kInstrument, Price{100});
    QCOMPARE(resultName(neverTraded.result), resultName(PortfolioResult::Ok));
    QCOMPARE(neverTraded.value, Money{0});

    QCOMPARE(text(toDecimalText(AveragePrice{302, 3}, 10, 9)), QString());
    QCOMPARE(roundAveragePrice(AveragePrice{302, 3}, -1).error, MoneyError::InvalidScale);
    QCOMPARE(roundAveragePrice(AveragePrice{kInt64Max, 1}, 1).error, MoneyError::OutOfRange);
    QCOMPARE(roundAveragePrice(AveragePrice{-5, 2}, 0).value, std::int64_t{-2}); // -2.5, even
    QCOMPARE(roundAveragePrice(AveragePrice{-7, 2}, 0).value, std::int64_t{-4}); // -3.5, even
}

// The same random trades through a cash account and a margin account, at 3 quantity decimals and
// 2 price and money decimals, so that notionals round. Once both are flat, the realized P&L is
// exactly the closing notionals less the opening ones, and both balances moved by the same.
void TestPortfolio::cashAndMarginAgreeWhenFlat()
{
    Setup setup;
    setup.priceDecimals = 2;
    setup.quantityDecimals = 3;
    setup.fees.maker = FeeRate{-10};
    setup.fees.taker = FeeRate{7'00};
    setup.fees.minimum = Money{1};
    Setup cash = setup;
    cash.type = AccountType::Cash;
    cash.balance = Money{1'000'000'000'00};

    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));
    QCOMPARE(portfolio.openAccount(settings(kOtherAccount, cash), cash.balance),
             PortfolioResult::Ok);

    std::mt19937_64 random(20240607);
    std::int64_t longQuantity = 0;
    std::int64_t notionalSum = 0; // buys positive, sells negative
    for (SequenceNumber sequence = 1; sequence <= 400; ++sequence) {
        const bool last = sequence == 400;
        const auto price = static_cast<std::int64_t>(9000 + random() % 2001);
        auto quantity = static_cast<std::int64_t>(1 + random() % 5000);
        Side side = random() % 2 == 0 ? Side::Buy : Side::Sell;
        if (side == Side::Sell && quantity > longQuantity)
            quantity = longQuantity;
        if (last) {
            side = Side::Sell;
            quantity = longQuantity;
        }
        if (quantity == 0)
            continue;
        const auto role = random() % 2 == 0 ? LiquidityRole::Maker : LiquidityRole::Taker;

        const PostedFill margin = portfolio.post(fill(sequence, side, price, quantity, role));
        const PostedFill paid =
            portfolio.post(fill(sequence, side, price, quantity, role, kOtherAccount));
        QCOMPARE(resultName(margin.result), resultName(PortfolioResult::Ok));
        QCOMPARE(resultName(paid.result), resultName(PortfolioResult::Ok));
        QCOMPARE(paid.notional, margin.notional);
        notionalSum += margin.notional.value();
        longQuantity += side == Side::Buy ? quantity : -quantity;
    }

    const Position *marginPosition = portfolio.position(kAccount, kInstrument);
    const Position *cashPosition = portfolio.position(kOtherAccount, kInstrument);
    QVERIFY(marginPosition && cashPosition);
    QCOMPARE(marginPosition->quantity, Quantity{0});
    QVERIFY(*marginPosition == *cashPosition);
    QCOMPARE(marginPosition->realizedProfitAndLoss, Money{-notionalSum});

    const std::int64_t marginMoved = balanceOf(portfolio).value();
    const std::int64_t cashMoved =
        balanceOf(portfolio, kOtherAccount).value() - cash.balance.value();
    QCOMPARE(cashMoved, marginMoved);
    QCOMPARE(marginMoved, -notionalSum - marginPosition->feesPaid.value());
}

void TestPortfolio::stateRoundTrips()
{
    Setup setup;
    setup.priceDecimals = 2;
    setup.fees.taker = FeeRate::fromBasisPoints(2);
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));
    Setup cash = setup;
    cash.type = AccountType::Cash;
    QCOMPARE(portfolio.openAccount(settings(kOtherAccount, cash), Money{5000'00}),
             PortfolioResult::Ok);
    portfolio.post(buy(1, 100'00, 10));
    portfolio.post(buy(2, 101'00, 20));
    portfolio.post(sell(3, 102'00, 7));
    portfolio.post(fill(3, Side::Buy, 102'00, 7, LiquidityRole::Maker, kOtherAccount));

    const PortfolioState state = portfolio.state();
    QCOMPARE(state.instruments.size(), std::size_t{1});
    QCOMPARE(state.accounts.size(), std::size_t{2});
    QCOMPARE(state.positions.size(), std::size_t{2});
    QCOMPARE(state.accounts[0].settings.id, kAccount);

    Portfolio restored;
    QCOMPARE(resultName(restored.load(state)), resultName(PortfolioResult::Ok));
    QVERIFY(restored == portfolio);
    QCOMPARE(restored.stateHash(), portfolio.stateHash());
    QVERIFY(restored.state() == state);

    // The restored copy goes on exactly as the original, and a change changes the hash.
    const std::uint64_t hashBefore = portfolio.stateHash();
    const PostedFill original = portfolio.post(sell(4, 99'00, 30));
    const PostedFill copy = restored.post(sell(4, 99'00, 30));
    QCOMPARE(copy.realizedProfitAndLoss, original.realizedProfitAndLoss);
    QVERIFY(restored == portfolio);
    QCOMPARE(restored.stateHash(), portfolio.stateHash());
    QVERIFY(portfolio.stateHash() != hashBefore);
    QCOMPARE(resultName(restored.post(sell(4, 99'00, 30)).result),
             resultName(PortfolioResult::DuplicateFill));
}

// Each row changes one field of a loaded state, consistently, and the hash and the equality
// must both see it.
void TestPortfolio::hashCoversEveryField_data()
{
    QTest::addColumn<QString>("field");
    for (const char *field : {"multiplier", "quantity decimals", "money decimals", "account type",
                              "balance", "maker rate", "taker rate", "per-unit fee", "minimum fee",
                              "last fill sequence", "last fill sides", "basis cost",
                              "basis money cost", "realized", "fees paid", "fill count"})
        QTest::newRow(field) << QString::fromLatin1(field);
}

void TestPortfolio::hashCoversEveryField()
{
    QFETCH(QString, field);

    Portfolio source;
    QVERIFY(setUp(source, Setup{}));
    QCOMPARE(resultName(source.post(buy(1, 100, 10)).result), resultName(PortfolioResult::Ok));
    const PortfolioState original = source.state();
    PortfolioState state = original;
    InstrumentTerms &terms = state.instruments[0];
    Account &account = state.accounts[0];
    AccountFees &fees = account.settings.fees;
    Position &position = state.positions[0].position;

    if (field == QLatin1String("multiplier"))
        terms.multiplier = 2;
    else if (field == QLatin1String("quantity decimals"))
        terms.quantityDecimals = 1;
    else if (field == QLatin1String("money decimals"))
        account.settings.moneyDecimals = 3;
    else if (field == QLatin1String("account type"))
        account.settings.type = AccountType::Cash;
    else if (field == QLatin1String("balance"))
        account.balance = Money{1};
    else if (field == QLatin1String("maker rate"))
        fees.maker = FeeRate{1};
    else if (field == QLatin1String("taker rate"))
        fees.taker = FeeRate{1};
    else if (field == QLatin1String("per-unit fee"))
        fees.perUnit = Money{1};
    else if (field == QLatin1String("minimum fee"))
        fees.minimum = Money{1};
    else if (field == QLatin1String("last fill sequence"))
        account.lastFillSequence = 2;
    else if (field == QLatin1String("last fill sides"))
        account.lastFillSides = 3;
    else if (field == QLatin1String("basis cost"))
        position.basisCost += 1;
    else if (field == QLatin1String("basis money cost"))
        position.basisMoneyCost = Money{position.basisMoneyCost.value() + 1};
    else if (field == QLatin1String("realized"))
        position.realizedProfitAndLoss = Money{1};
    else if (field == QLatin1String("fees paid"))
        position.feesPaid = Money{1};
    else if (field == QLatin1String("fill count"))
        position.fillCount = 2;
    QVERIFY(!(state == original));

    Portfolio changed;
    QCOMPARE(resultName(changed.load(state)), resultName(PortfolioResult::Ok));
    QVERIFY(changed.stateHash() != source.stateHash());
    QVERIFY(!(changed == source));
}

// The open money cost of part of a basis, rounded half to even and symmetric for shorts. A basis
// of 2.01 for 2 leaves 1.005 for 1, which is 1.00, and 2.03 leaves 1.015, which is 1.02. A basis
// of 2.00 for 3 leaves 1.3333 for 2, which is 1.33, and 0.6666 for 1, which is 0.67.
void TestPortfolio::openCostRoundsHalfToEven_data()
{
    QTest::addColumn<qint64>("quantity");
    QTest::addColumn<qint64>("basisQuantity");
    QTest::addColumn<qint64>("basisMoneyCost");
    QTest::addColumn<qint64>("expected");

    QTest::newRow("tie to even below") << qint64{1} << qint64{2} << qint64{2'01} << qint64{1'00};
    QTest::newRow("tie to even above") << qint64{1} << qint64{2} << qint64{2'03} << qint64{1'02};
    QTest::newRow("short tie") << qint64{-1} << qint64{-2} << qint64{-2'03} << qint64{-1'02};
    QTest::newRow("two thirds down") << qint64{2} << qint64{3} << qint64{2'00} << qint64{1'33};
    QTest::newRow("one third up") << qint64{1} << qint64{3} << qint64{2'00} << qint64{67};
    QTest::newRow("whole basis") << qint64{3} << qint64{3} << qint64{2'00} << qint64{2'00};
    QTest::newRow("flat") << qint64{0} << qint64{0} << qint64{0} << qint64{0};
}

void TestPortfolio::openCostRoundsHalfToEven()
{
    QFETCH(qint64, quantity);
    QFETCH(qint64, basisQuantity);
    QFETCH(qint64, basisMoneyCost);
    QFETCH(qint64, expected);

    Position position;
    position.quantity = Quantity{quantity};
    position.basisQuantity = Quantity{basisQuantity};
    position.basisMoneyCost = Money{basisMoneyCost};
    QCOMPARE(openMoneyCost(position), Money{expected});
}

// Selling 20 of 30 that cost 3020.00 leaves 1006.67 of cost (1006.666... rounded up), so the 20
// take 2013.33 and bring in 2040.00 at 102: 26.67 realized, as (102 - 100.666...) * 20 is.
void TestPortfolio::reduceRealizesAgainstRoundedCost()
{
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, Setup{}));
    portfolio.post(buy(1, 100, 10));
    portfolio.post(buy(2, 101, 20));
    const PostedFill reduced = portfolio.post(sell(3, 102, 20));
    QCOMPARE(reduced.realizedProfitAndLoss, Money{26'67});
    QCOMPARE(openMoneyCost(positionOf(portfolio)), Money{1006'67});
    QCOMPARE(averagePrice(positionOf(portfolio)), (AveragePrice{302, 3}));
}

void TestPortfolio::loadRejectsBadState_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<int>("expected");

    QTest::newRow("duplicate account")
        << QStringLiteral("duplicate account") << int(PortfolioResult::DuplicateAccount);
    QTest::newRow("duplicate instrument")
        << QStringLiteral("duplicate instrument") << int(PortfolioResult::DuplicateInstrument);
    QTest::newRow("duplicate position")
        << QStringLiteral("duplicate position") << int(PortfolioResult::DuplicatePosition);
    QTest::newRow("position of unknown account")
        << QStringLiteral("orphan position") << int(PortfolioResult::UnknownAccount);
    QTest::newRow("quantity beyond basis")
        << QStringLiteral("quantity beyond basis") << int(PortfolioResult::InconsistentState);
    QTest::newRow("short in cash account")
        << QStringLiteral("cash short") << int(PortfolioResult::InconsistentState);
    QTest::newRow("flat with cost")
        << QStringLiteral("flat with cost") << int(PortfolioResult::InconsistentState);
    QTest::newRow("sides without sequence")
        << QStringLiteral("sides without sequence") << int(PortfolioResult::InconsistentState);
    QTest::newRow("invalid fees") << QStringLiteral("invalid fees")
                                  << int(PortfolioResult::InvalidFees);
}

void TestPortfolio::loadRejectsBadState()
{
    QFETCH(QString, change);
    QFETCH(int, expected);

    Portfolio source;
    QVERIFY(setUp(source, Setup{}));
    source.post(buy(1, 100, 10));
    PortfolioState state = source.state();
    QCOMPARE(state.positions.size(), std::size_t{1});

    if (change == QLatin1String("duplicate account")) {
        state.accounts.push_back(state.accounts[0]);
    } else if (change == QLatin1String("duplicate instrument")) {
        state.instruments.push_back(state.instruments[0]);
    } else if (change == QLatin1String("duplicate position")) {
        state.positions.push_back(state.positions[0]);
    } else if (change == QLatin1String("orphan position")) {
        state.positions[0].account = AccountId{99};
    } else if (change == QLatin1String("quantity beyond basis")) {
        state.positions[0].position.quantity = Quantity{11};
    } else if (change == QLatin1String("cash short")) {
        state.accounts[0].settings.type = AccountType::Cash;
        state.positions[0].position = Position{};
        state.positions[0].position.quantity = Quantity{-1};
        state.positions[0].position.basisQuantity = Quantity{-1};
        state.positions[0].position.basisCost = -100;
    } else if (change == QLatin1String("flat with cost")) {
        state.positions[0].position.quantity = Quantity{0};
        state.positions[0].position.basisQuantity = Quantity{0};
    } else if (change == QLatin1String("sides without sequence")) {
        state.accounts[0].lastFillSequence = 0;
    } else if (change == QLatin1String("invalid fees")) {
        state.accounts[0].settings.fees.minimum = Money{-1};
    }

    Portfolio target;
    QVERIFY(setUp(target, Setup{}));
    const Portfolio before = target;
    QCOMPARE(resultName(target.load(state)), resultName(static_cast<PortfolioResult>(expected)));
    QVERIFY(target == before);
}

void TestPortfolio::postingKnownPositionAllocatesNothing()
{
    Setup setup;
    setup.priceDecimals = 2;
    setup.fees.taker = FeeRate::fromBasisPoints(3);
    Portfolio portfolio;
    QVERIFY(setUp(portfolio, setup));
    QCOMPARE(resultName(portfolio.post(buy(1, 100'00, 1)).result), resultName(PortfolioResult::Ok));

    PortfolioResult worst = PortfolioResult::Ok;
    // The counter counts an allocation made in this executable.
    const std::uint64_t probeBefore = allocationCount;
    std::int64_t *volatile probe = new std::int64_t{1};
    delete probe;
    QCOMPARE(allocationCount - probeBefore, std::uint64_t{1});

    const std::uint64_t allocationsBefore = allocationCount;
    for (SequenceNumber sequence = 2; sequence < 1002; ++sequence) {
        const Side side = sequence % 3 == 0 ? Side::Sell : Side::Buy;
        const PostedFill posted = portfolio.post(
            fill(sequence, side, 100'00 + static_cast<std::int64_t>(sequence % 7), 3));
        if (posted.result != PortfolioResult::Ok)
            worst = posted.result;
    }
    const std::uint64_t allocations = allocationCount - allocationsBefore;
    QCOMPARE(resultName(worst), resultName(PortfolioResult::Ok));
    QCOMPARE(allocations, std::uint64_t{0});
    QCOMPARE(positionOf(portfolio).fillCount, std::uint64_t{1001});
}

QTEST_APPLESS_MAIN(TestPortfolio)
#include "tst_portfolio.moc"
