#include "feed_list.h"

#include "feed_publisher.h"

#include <QFile>
#include <QRegularExpression>

namespace bourse::terminal {

namespace {

const QString kLineForm = QStringLiteral("'feed NAME ENDPOINT [snapshot ENDPOINT|none] "
                                         "[topics TOPIC,TOPIC]'");

std::optional<QString> readTopics(const QString &list, QStringList &topics)
{
    for (const QString &topic : list.split(QLatin1Char(','))) {
        if (std::optional<QString> problem = checkFeedTopic(topic))
            return problem;
        if (topics.contains(topic))
            return QStringLiteral("topic '%1' is listed twice").arg(topic);
        topics.append(topic);
    }
    return std::nullopt;
}

// Reads the words after "feed NAME ENDPOINT": each of `snapshot` and `topics` at most once.
std::optional<QString> readSettings(const QStringList &words, FeedEntry &entry)
{
    bool snapshotSet = false;
    for (qsizetype index = 3; index < words.size(); index += 2) {
        const QString &setting = words[index];
        if (setting != QLatin1String("snapshot") && setting != QLatin1String("topics"))
            return QStringLiteral("unknown setting '%1': expected %2").arg(setting, kLineForm);
        if (index + 1 == words.size())
            return QStringLiteral("'%1' needs a value: expected %2").arg(setting, kLineForm);
        const QString &value = words[index + 1];
        if (setting == QLatin1String("topics")) {
            if (!entry.topics.isEmpty())
                return QStringLiteral("'topics' is given twice; list every topic once, as A,B");
            if (std::optional<QString> problem = readTopics(value, entry.topics))
                return problem;
            continue;
        }
        if (snapshotSet)
            return QStringLiteral("'snapshot' is given twice");
        snapshotSet = true;
        entry.snapshotEndpoint = value == QLatin1String("none") ? QString() : value;
        if (!entry.snapshotEndpoint.isEmpty()) {
            if (std::optional<QString> problem = checkFeedEndpoint(value))
                return problem;
        }
    }
    if (!snapshotSet)
        entry.snapshotEndpoint = defaultSnapshotEndpoint(entry.endpoint);
    return std::nullopt;
}

std::optional<QString> readLine(const QStringList &words, FeedEntry &entry)
{
    if (words.front() != QLatin1String("feed"))
        return QStringLiteral("unknown line '%1': expected %2").arg(words.front(), kLineForm);
    if (words.size() < 3)
        return QStringLiteral("missing %1: expected %2")
            .arg(words.size() == 1 ? QStringLiteral("name") : QStringLiteral("endpoint"),
                 kLineForm);
    entry.name = words[1];
    entry.endpoint = words[2];
    if (std::optional<QString> problem = checkFeedEndpoint(entry.endpoint))
        return problem;
    return readSettings(words, entry);
}

} // namespace

std::optional<QString> checkFeedEndpoint(const QString &endpoint)
{
    if (std::optional<std::string> problem = net::feed::checkEndpoint(endpoint.toStdString()))
        return QString::fromStdString(*problem);
    if (endpoint.startsWith(QLatin1String("tcp://")) && endpoint.endsWith(QLatin1String(":*")))
        return QStringLiteral("invalid endpoint '%1': a port of * can be bound but not "
                              "connected to; give the port number")
            .arg(endpoint);
    if (!endpoint.contains(QLatin1String("://")))
        return QStringLiteral("invalid endpoint '%1': expected tcp://HOST:PORT or ipc://PATH")
            .arg(endpoint);
    return std::nullopt;
}

std::optional<QString> checkFeedTopic(const QString &topic)
{
    if (std::optional<std::string> problem = net::feed::checkTopic(topic.toStdString()))
        return QStringLiteral("invalid topic '%1': %2")
            .arg(topic, QString::fromStdString(*problem));
    return std::nullopt;
}

QString defaultSnapshotEndpoint(const QString &endpoint)
{
    return QString::fromStdString(net::feed::defaultSnapshotEndpoint(endpoint.toStdString()));
}

std::variant<std::vector<FeedEntry>, QString> parseFeedList(const QString &text,
                                                            const QString &fileName)
{
    std::vector<FeedEntry> feeds;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const QString content = lines[index].section(QLatin1Char('#'), 0, 0);
        const QStringList words =
            content.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
        if (words.isEmpty())
            continue;
        const auto fail = [&](const QString &message) {
            return QStringLiteral("%1:%2: error: %3").arg(fileName).arg(index + 1).arg(message);
        };
        FeedEntry entry;
        entry.line = static_cast<int>(index + 1);
        if (std::optional<QString> error = readLine(words, entry))
            return fail(*error);
        for (const FeedEntry &earlier : feeds) {
            if (earlier.name == entry.name)
                return fail(QStringLiteral("feed '%1' is listed twice").arg(entry.name));
            if (earlier.endpoint == entry.endpoint)
                return fail(QStringLiteral("feeds '%1' and '%2' have the same endpoint %3")
                                .arg(earlier.name, entry.name, entry.endpoint));
        }
        feeds.push_back(std::move(entry));
    }
    if (feeds.empty())
        return QStringLiteral("%1: error: no feed listed; add lines such as 'feed nasdaq "
                              "tcp://127.0.0.1:5600 topics GOOG'")
            .arg(fileName);
    return feeds;
}

std::variant<std::vector<FeedEntry>, QString> readFeedList(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return QStringLiteral("%1: error: cannot read the file: %2").arg(path, file.errorString());
    return parseFeedList(QString::fromUtf8(file.readAll()), path);
}

} // namespace bourse::terminal
