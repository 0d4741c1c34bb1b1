#pragma once

// The remote market data feeds (docs/feeds.md) that a terminal shows and paper-trades, from
// `bourse --feed ENDPOINT` or from a text file with one feed a line, read by
// `bourse --feeds FILE`:
//
//     # feed NAME ENDPOINT [snapshot ENDPOINT|none] [topics TOPIC,TOPIC]
//     feed nasdaq tcp://127.0.0.1:5600 snapshot tcp://127.0.0.1:5601 topics GOOG
//     feed bybit  tcp://127.0.0.1:5610
//
// `#` starts a comment. Without `snapshot`, a feed's snapshot endpoint is the one that
// docs/feeds.md derives from its endpoint, the next port. `snapshot none` means the feed has
// none, so a stale book waits for a snapshot in the stream. Without `topics` every topic is
// subscribed.

#include <QString>
#include <QStringList>

#include <optional>
#include <variant>
#include <vector>

namespace bourse::terminal {

struct FeedEntry {
    QString name;             // the file's name of the feed; empty for --feed
    QString endpoint;         // the publisher's feed socket
    QString snapshotEndpoint; // empty: the feed has none
    QStringList topics;       // empty: every topic
    int line = 0;             // the line of the file, from 1; 0 for --feed
};

// Checks an endpoint to connect to: tcp://HOST:PORT with a port from 1 to 65535, ipc://PATH or
// another transport that libzmq takes. Returns the problem, naming the endpoint.
std::optional<QString> checkFeedEndpoint(const QString &endpoint);
// Checks a topic: 1 to 32 characters of A-Z, a-z, 0-9, '.', '_' and '-'. Returns the problem.
std::optional<QString> checkFeedTopic(const QString &topic);
// The snapshot endpoint of a feed that names none: the next port for tcp://HOST:PORT.
QString defaultSnapshotEndpoint(const QString &endpoint);

// Parses the text of a feeds file. Returns the feeds in file order, or the first error as
// "FILE:LINE: error: MESSAGE", naming `fileName`.
std::variant<std::vector<FeedEntry>, QString> parseFeedList(const QString &text,
                                                            const QString &fileName);
// Reads and parses the file at `path`.
std::variant<std::vector<FeedEntry>, QString> readFeedList(const QString &path);

} // namespace bourse::terminal
