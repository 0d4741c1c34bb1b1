#include "replay_toolbar.h"

#include "session_status_bar.h"
#include "theme.h"

#include <QActionGroup>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>

namespace bourse::ui {

namespace {

enum class IconShape { Simulation, Open, Play, Pause };

// Draws a shape on a 16 x 16 grid, scaled to the pixmap.
void drawShape(QPainter &painter, IconShape shape)
{
    switch (shape) {
    case IconShape::Simulation: {
        QPainterPath line;
        line.moveTo(1, 12);
        line.lineTo(5, 7);
        line.lineTo(8, 10);
        line.lineTo(11, 4);
        line.lineTo(15, 6);
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(line);
        break;
    }
    case IconShape::Open: {
        QPainterPath folder;
        folder.moveTo(1.5, 3.5);
        folder.lineTo(6, 3.5);
        folder.lineTo(7.5, 5.5);
        folder.lineTo(14.5, 5.5);
        folder.lineTo(14.5, 13.5);
        folder.lineTo(1.5, 13.5);
        folder.closeSubpath();
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(folder);
        break;
    }
    case IconShape::Play:
        painter.drawPolygon(QPolygonF({QPointF(4, 2.5), QPointF(13, 8), QPointF(4, 13.5)}));
        break;
    case IconShape::Pause:
        painter.drawRect(QRectF(3.5, 2.5, 3, 11));
        painter.drawRect(QRectF(9.5, 2.5, 3, 11));
        break;
    }
}

QPixmap shapePixmap(IconShape shape, int size, const QColor &color)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(size / 16.0, size / 16.0);
    painter.setPen(QPen(color, 1.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.setBrush(color);
    drawShape(painter, shape);
    return pixmap;
}

// An icon in the theme's text colour, and muted when disabled, so it reads on the dark bar.
QIcon themedIcon(IconShape shape)
{
    QIcon icon;
    for (int size : {16, 32}) {
        icon.addPixmap(shapePixmap(shape, size, theme::textColor()), QIcon::Normal);
        icon.addPixmap(shapePixmap(shape, size, theme::gridColor()), QIcon::Disabled);
    }
    return icon;
}

} // namespace

std::optional<double> parseReplaySpeed(const QString &text)
{
    QString name = text.trimmed().toLower();
    if (name == QStringLiteral("max"))
        return 0.0;
    if (name.endsWith(QChar('x')))
        name.chop(1);

    if (name == QStringLiteral("0.25") || name == QStringLiteral(".25"))
        return 0.25;
    bool ok = false;
    const int value = name.toInt(&ok);
    if (ok && (value == 1 || value == 10 || value == 100))
        return static_cast<double>(value);
    return std::nullopt;
}

ReplayToolBar::ReplayToolBar(QWidget *parent)
    : QToolBar(tr("Session"), parent)
    , m_speeds(new QActionGroup(this))
{
    setObjectName(QStringLiteral("sessionToolBar"));
    setMovable(false);
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    m_simulation = addAction(themedIcon(IconShape::Simulation), tr("Simulation"));
    m_simulation->setObjectName(QStringLiteral("simulationAction"));
    m_simulation->setToolTip(tr("Start a new simulated market"));
    connect(m_simulation, &QAction::triggered, this, &ReplayToolBar::simulationRequested);

    m_open = addAction(themedIcon(IconShape::Open), tr("Open recording\u2026"));
    m_open->setObjectName(QStringLiteral("openAction"));
    m_open->setShortcut(QKeySequence::Open);
    m_open->setToolTip(tr("Replay a recorded market: a LOBSTER day or an exchange's order-book "
                          "stream (Bybit, Binance)"));
    connect(m_open, &QAction::triggered, this, &ReplayToolBar::openRequested);
    addSeparator();

    m_playPause = addAction(themedIcon(IconShape::Play), tr("Play"));
    m_playPause->setObjectName(QStringLiteral("playPauseAction"));
    m_playPause->setShortcut(Qt::Key_Space);
    connect(m_playPause, &QAction::triggered, this, &ReplayToolBar::togglePlaying);
    addSeparator();

    addWidget(new QLabel(tr("Speed"), this));
    for (double speed : replaySpeeds) {
        QAction *action = addAction(replaySpeedLabel(speed));
        action->setObjectName(QStringLiteral("speedAction_%1").arg(replaySpeedLabel(speed)));
        action->setCheckable(true);
        action->setChecked(speed == m_speed);
        action->setData(speed);
        m_speeds->addAction(action);
    }
    connect(m_speeds, &QActionGroup::triggered, this, [this](QAction *action) {
        m_speed = action->data().toDouble();
        emit speedRequested(m_speed);
    });

    m_playPause->setEnabled(false);
    m_speeds->setEnabled(false);
}

void ReplayToolBar::setView(const MarketView &view)
{
    // A simulation plays and pauses like a replay. Only a replay finishes or fails, and Idle
    // is the state of a view that no running session published.
    const bool running =
        view.replayState == ReplayState::Playing || view.replayState == ReplayState::Paused;
    m_speeds->setEnabled(view.mode == SessionMode::Replay);
    m_playPause->setEnabled(running);

    const bool playing = view.replayState == ReplayState::Playing;
    if (playing == m_playing)
        return;

    m_playing = playing;
    m_playPause->setText(playing ? tr("Pause") : tr("Play"));
    m_playPause->setIcon(themedIcon(playing ? IconShape::Pause : IconShape::Play));
}

void ReplayToolBar::setSpeed(double speed)
{
    m_speed = speed;
    for (QAction *action : m_speeds->actions())
        action->setChecked(action->data().toDouble() == speed);
}

void ReplayToolBar::togglePlaying()
{
    if (m_playing)
        emit pauseRequested();
    else
        emit playRequested();
}

} // namespace bourse::ui
