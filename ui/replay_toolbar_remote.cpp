// The session controls while the terminal trades on a server, in remote or host mode.

#include "replay_toolbar.h"

#include <QAction>
#include <QActionGroup>
#include <QLineEdit>
#include <QSlider>

namespace bourse::ui {

void ReplayToolBar::setRemote(bool remote)
{
    if (remote == m_remote)
        return;
    m_remote = remote;

    std::vector<QObject *> controls{m_playPause, m_step, m_position, m_time};
    for (QAction *speed : m_speeds->actions())
        controls.push_back(speed);
    if (remote) {
        m_localToolTips.clear();
        const QString reason =
            tr("Off while trading on a server, because the server's market runs on its own "
               "clock and a terminal cannot pause, step, speed up or seek it. A host pauses "
               "its market from the instructor panel");
        for (QObject *control : controls) {
            m_localToolTips.emplace_back(control, control->property("toolTip").toString());
            control->setProperty("toolTip", reason);
        }
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
