// The session controls for a market that the session does not pace: a server's, in remote or
// host mode, or a live feed's.

#include "replay_toolbar.h"

#include <QAction>
#include <QActionGroup>
#include <QLineEdit>
#include <QSlider>

namespace bourse::ui {

namespace {

QString offReason(MarketPace pace)
{
    if (pace == MarketPace::Feed)
        return ReplayToolBar::tr("Off on a live feed, because its publisher runs the market and "
                                 "its messages play as they arrive");
    return ReplayToolBar::tr("Off while trading on a server, because the server's market runs on "
                             "its own clock and a terminal cannot pause, step, speed up or seek "
                             "it. A host pauses its market from the instructor panel");
}

} // namespace

void ReplayToolBar::setMarketPace(MarketPace pace)
{
    if (pace == m_pace)
        return;
    const bool wasLocal = m_pace == MarketPace::Local;
    m_pace = pace;

    std::vector<QObject *> controls{m_playPause, m_step, m_position, m_time};
    for (QAction *speed : m_speeds->actions())
        controls.push_back(speed);
    if (pace != MarketPace::Local) {
        // Only the local tooltips are kept, so a change between two other paces keeps them.
        if (wasLocal) {
            m_localToolTips.clear();
            for (QObject *control : controls)
                m_localToolTips.emplace_back(control, control->property("toolTip").toString());
        }
        const QString reason = offReason(pace);
        for (QObject *control : controls)
            control->setProperty("toolTip", reason);
    } else {
        for (const auto &[control, toolTip] : m_localToolTips)
            control->setProperty("toolTip", toolTip);
        m_localToolTips.clear();
    }

    m_playPause->setEnabled(false);
    m_step->setEnabled(false);
    m_speeds->setEnabled(false);
    m_position->setEnabled(false);
    m_time->setEnabled(false);
}

} // namespace bourse::ui
