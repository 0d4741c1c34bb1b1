#include "market_feed.h"

#include "logging.h"
#include "session.h"

#include <algorithm>

namespace bourse::ui {

MarketFeed::MarketFeed(QObject *parent)
    : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &MarketFeed::poll);
}

void MarketFeed::setSource(ViewSource source)
{
    m_source = std::move(source);
    m_view.reset();
    if (!m_source)
        m_timer.stop();
}

void MarketFeed::setSession(const Session &session)
{
    setSource([&session] { return session.latestView(); });
}

void MarketFeed::start(int framesPerSecond)
{
    // The interval is rounded down, so the feed polls a little faster than a source that
    // publishes at the same rate. Otherwise the two clocks drift apart and a view is replaced
    // now and then before it is read, with the trades it carried.
    const int rate = std::clamp(framesPerSecond, 1, 60);
    m_timer.start(1000 / rate);
    qCDebug(lcUi) << "market feed polls every" << 1000 / rate << "ms";
    poll();
}

void MarketFeed::stop()
{
    m_timer.stop();
}

void MarketFeed::poll()
{
    if (!m_source)
        return;

    // A session publishes a new object for every view, so an unchanged pointer means nothing
    // new, whatever the view holds.
    std::shared_ptr<const MarketView> view = m_source();
    if (!view || view == m_view)
        return;

    m_view = std::move(view);
    emit viewChanged(m_view);
}

} // namespace bourse::ui
