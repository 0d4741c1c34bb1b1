#pragma once

#include "market_view.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace bourse {
class Session;
}

namespace bourse::ui {

// Polls a source of MarketView snapshots on the GUI thread and emits viewChanged once per
// newly published view, so every panel updates from one signal per frame. A poll waits only
// as long as the source does, and Session::latestView() only copies a pointer under a mutex
// that the engine thread holds just as briefly.
class MarketFeed : public QObject {
    Q_OBJECT

public:
    using ViewSource = std::function<std::shared_ptr<const MarketView>()>;

    explicit MarketFeed(QObject *parent = nullptr);

    // Polls `source` from now on. The previous view is forgotten, so the first view of the new
    // source is always emitted. An empty source stops the polling.
    void setSource(ViewSource source);

    // Polls the session's latest view. The session must outlive the polling, so call
    // setSource({}) before destroying it.
    void setSession(const Session &session);

    // Starts polling every 1000 / framesPerSecond milliseconds, rounded down, with the rate
    // clamped to 1..60, and polls once right away. viewChanged still comes at most once per
    // view the source publishes.
    void start(int framesPerSecond = 60);
    void stop();
    bool isActive() const { return m_timer.isActive(); }

    // Checks the source once and emits viewChanged when it published a new view.
    void poll();

    const std::shared_ptr<const MarketView> &currentView() const { return m_view; }

signals:
    void viewChanged(const std::shared_ptr<const bourse::MarketView> &view);

private:
    ViewSource m_source;
    std::shared_ptr<const MarketView> m_view;
    QTimer m_timer;
};

} // namespace bourse::ui
