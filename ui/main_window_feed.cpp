// The window's live-feed mode: a session whose source is a remote market data feed.

#include "main_window.h"

#include "live_feed.h"
#include "logging.h"
#include "replay_toolbar.h"
#include "session_status_bar.h"

namespace bourse::ui {

std::optional<QString> MainWindow::startFeed(std::vector<net::feed::FeedSubscription> feeds,
                                             const QString &name)
{
    Session::ReplaySource source;
    source.messagePath = name.toStdString();
    // A live feed plays its messages as they arrive, whatever the speed.
    source.speed = 0.0;
    source.openFeed = [feeds = std::move(feeds)](Engine &engine, std::string &error) {
        return net::feed::openLiveFeed(feeds, engine, error);
    };

    auto session = makeSession(SessionMode::Replay);
    if (std::optional<std::string> error = session->startReplay(source))
        return QString::fromStdString(*error);
    qCInfo(lcUi) << "live feed started:" << name;

    installSession(std::move(session), SessionMode::Replay);
    m_liveFeedShown = true;
    m_toolBar->setMarketPace(MarketPace::Feed);
    m_statusBar->setSimulationSeed(std::nullopt);
    m_toolBar->setSpeed(0.0);
    return std::nullopt;
}

} // namespace bourse::ui
