#include "replay_toolbar.h"

#include "formatting.h"
#include "session_status_bar.h"
#include "theme.h"

#include <QActionGroup>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QSlider>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QToolTip>

#include <algorithm>

namespace bourse::ui {

namespace {

enum class IconShape { Simulation, Open, Play, Pause, Step };

// The slider's range: steps of 0.01% of the replay's span, 2.3 s of a 6.5-hour day.
constexpr int kPositionSteps = 10'000;

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
    case IconShape::Step:
        painter.drawPolygon(QPolygonF({QPointF(3, 2.5), QPointF(10, 8), QPointF(3, 13.5)}));
        painter.drawRect(QRectF(11.5, 2.5, 2, 11));
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

std::optional<Timestamp> parseMarketTime(const QString &text, Timestamp reference)
{
    static const QRegularExpression pattern(
        QStringLiteral("^(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?$"));
    const QRegularExpressionMatch match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    const int hours = match.captured(1).toInt();
    const int minutes = match.captured(2).toInt();
    const int seconds = match.captured(3).isEmpty() ? 0 : match.captured(3).toInt();
    if (hours > 23 || minutes > 59 || seconds > 59)
        return std::nullopt;
    constexpr std::int64_t nanosecondsPerSecond = 1'000'000'000;
    std::int64_t nanoseconds = ((hours * 60LL + minutes) * 60 + seconds) * nanosecondsPerSecond;
    if (const QString fraction = match.captured(4); !fraction.isEmpty())
        nanoseconds += fraction.leftJustified(9, QChar('0')).toLongLong();
    // The midnight of the reference's day, by the rule formatTimeOfDay() shows times with.
    const std::int64_t midnight = reference.value() - nanosecondsIntoDay(reference);
    return Timestamp{midnight + nanoseconds};
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
    m_open->setToolTip(tr("Replay a recorded market: a LOBSTER day, an exchange's order-book "
                          "stream (Bybit, Binance), a trade or quote file, or a Bourse journal"));
    connect(m_open, &QAction::triggered, this, &ReplayToolBar::openRequested);
    addSeparator();

    m_playPause = addAction(themedIcon(IconShape::Play), tr("Play"));
    m_playPause->setObjectName(QStringLiteral("playPauseAction"));
    m_playPause->setShortcut(Qt::Key_Space);
    connect(m_playPause, &QAction::triggered, this, &ReplayToolBar::togglePlaying);

    m_step = addAction(themedIcon(IconShape::Step), tr("Step"));
    m_step->setObjectName(QStringLiteral("stepAction"));
    m_step->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_step->setToolTip(tr("Apply one message of the paused replay, or one step of the paused "
                          "market (Ctrl+.)"));
    connect(m_step, &QAction::triggered, this, &ReplayToolBar::stepRequested);
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

    addSeparator();
    addPositionControls();

    m_playPause->setEnabled(false);
    m_step->setEnabled(false);
    m_speeds->setEnabled(false);
}

void ReplayToolBar::addPositionControls()
{
    m_position = new QSlider(Qt::Horizontal, this);
    m_position->setObjectName(QStringLiteral("positionSlider"));
    m_position->setAccessibleName(tr("Replay position"));
    m_position->setRange(0, kPositionSteps);
    m_position->setPageStep(kPositionSteps / 100);
    m_position->setMinimumWidth(160);
    // Dragging seeks once, where the slider is let go: each seek back replays from the start.
    m_position->setTracking(false);
    connect(m_position, &QSlider::valueChanged, this, &ReplayToolBar::seekToSlider);
    m_position->installEventFilter(this);
    addWidget(m_position);

    m_time = new QLineEdit(this);
    m_time->setObjectName(QStringLiteral("seekTimeEdit"));
    m_time->setAccessibleName(tr("Go to market time"));
    m_time->setPlaceholderText(tr("Go to hh:mm:ss"));
    m_time->setToolTip(tr("Type a market time, such as 10:30 or 10:30:15.250, and press Enter "
                          "to go there (Ctrl+T)"));
    m_time->setMinimumWidth(100);
    m_time->setMaximumWidth(130);
    connect(m_time, &QLineEdit::returnPressed, this, &ReplayToolBar::seekToTypedTime);
    connect(m_time, &QLineEdit::textEdited, this, [this] { showTimeError({}); });
    addWidget(m_time);

    // On the field rather than the toolbar, where an action would show as a button.
    m_focusTime = new QAction(tr("Go to market time"), m_time);
    m_focusTime->setObjectName(QStringLiteral("goToTimeAction"));
    m_focusTime->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_focusTime->setShortcutContext(Qt::WindowShortcut);
    connect(m_focusTime, &QAction::triggered, this, [this] {
        m_time->setFocus(Qt::ShortcutFocusReason);
        m_time->selectAll();
    });
    static_cast<QWidget *>(m_time)->addAction(m_focusTime);
    m_position->setEnabled(false);
    m_time->setEnabled(false);
}

void ReplayToolBar::setView(const MarketView &view)
{
    if (m_pace != MarketPace::Local)
        return;
    // A simulation plays, pauses and changes speed like a replay: the agent market runs on its
    // own clock, so a training scenario can be played fast or slow. Only a replay finishes or
    // fails, and Idle is the state of a view that no running session published.
    const bool running =
        view.replayState == ReplayState::Playing || view.replayState == ReplayState::Paused;
    m_speeds->setEnabled(view.mode == SessionMode::Replay || running);
    m_playPause->setEnabled(running);
    m_step->setEnabled(view.replayState == ReplayState::Paused);
    showPosition(view);

    const bool playing = view.replayState == ReplayState::Playing;
    if (playing == m_playing)
        return;

    m_playing = playing;
    m_playPause->setText(playing ? tr("Pause") : tr("Play"));
    m_playPause->setIcon(themedIcon(playing ? IconShape::Pause : IconShape::Play));
}

void ReplayToolBar::showPosition(const MarketView &view)
{
    const bool replay = view.mode == SessionMode::Replay && view.replayState != ReplayState::Idle;
    m_start = view.replayStart;
    m_end = view.replayEnd;
    m_shownTime = view.replayTime;
    const bool spanKnown = replay && m_end > m_start;
    m_position->setEnabled(spanKnown);
    m_time->setEnabled(replay);
    if (!spanKnown) {
        QString reason;
        if (replay && !view.error.empty())
            reason = tr("Seek is off: %1").arg(QString::fromStdString(view.error));
        else if (replay)
            reason = tr("The replay's end is not known yet");
        m_position->setToolTip(reason);
        return;
    }
    m_position->setToolTip(tr("Replay position: %1 to %2; click, or drag and let go, to go there")
                               .arg(formatTimeOfDay(m_start, TimePrecision::Seconds),
                                    formatTimeOfDay(m_end, TimePrecision::Seconds)));
    if (m_position->isSliderDown())
        return;
    const auto span = static_cast<long double>(m_end.value() - m_start.value());
    const auto into = static_cast<long double>(
        std::clamp(view.replayTime.value(), m_start.value(), m_end.value()) - m_start.value());
    const QSignalBlocker blocker(m_position);
    m_position->setValue(static_cast<int>(into / span * kPositionSteps + 0.5L));
}

void ReplayToolBar::seekToSlider()
{
    if (m_end <= m_start)
        return;
    const auto span = static_cast<long double>(m_end.value() - m_start.value());
    const auto offset =
        static_cast<std::int64_t>(span * m_position->value() / kPositionSteps + 0.5L);
    emit seekRequested(Timestamp{m_start.value() + offset});
}

void ReplayToolBar::seekToTypedTime()
{
    const Timestamp reference = m_shownTime.value() != 0 ? m_shownTime : m_start;
    const std::optional<Timestamp> time = parseMarketTime(m_time->text(), reference);
    if (!time) {
        showTimeError(tr("invalid time '%1': use hh:mm, hh:mm:ss or hh:mm:ss.mmm")
                          .arg(m_time->text().trimmed()));
        m_time->selectAll();
        return;
    }
    showTimeError({});
    emit seekRequested(*time);
}

// Frames the field in red and shows `message` under it for ten seconds, where the trader is
// looking. The message stays as the field's tooltip until an empty one clears both.
void ReplayToolBar::showTimeError(const QString &message)
{
    if (message == m_timeError)
        return;
    m_timeError = message;
    const bool invalid = !message.isEmpty();
    m_time->setStyleSheet(invalid ? QStringLiteral("QLineEdit { border: 1px solid #e05252; }")
                                  : QString());
    m_time->setToolTip(invalid ? message
                               : tr("Type a market time, such as 10:30 or 10:30:15.250, and "
                                    "press Enter to go there (Ctrl+T)"));
    if (invalid)
        QToolTip::showText(m_time->mapToGlobal(QPoint(0, m_time->height())), message, m_time, {},
                           10'000);
    else
        QToolTip::hideText();
    emit timeErrorChanged(message);
}

bool ReplayToolBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_position || event->type() != QEvent::MouseButtonPress)
        return QToolBar::eventFilter(watched, event);
    const auto *press = static_cast<QMouseEvent *>(event);
    if (press->button() != Qt::LeftButton || !m_position->isEnabled())
        return false;

    QStyleOptionSlider option;
    option.initFrom(m_position);
    option.orientation = m_position->orientation();
    option.minimum = m_position->minimum();
    option.maximum = m_position->maximum();
    option.sliderPosition = m_position->sliderPosition();
    option.sliderValue = m_position->value();
    option.singleStep = m_position->singleStep();
    option.pageStep = m_position->pageStep();
    option.upsideDown = m_position->invertedAppearance();
    QStyle *style = m_position->style();
    const QRect handle =
        style->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, m_position);
    const QPoint point = press->position().toPoint();
    // A press on the handle starts a drag, as usual.
    if (handle.contains(point))
        return false;

    const QRect groove =
        style->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderGroove, m_position);
    const int handleCentre = handle.width() / 2;
    const int value = QStyle::sliderValueFromPosition(
        option.minimum, option.maximum, point.x() - groove.x() - handleCentre,
        groove.width() - handle.width(), option.upsideDown);
    m_position->setValue(value);
    return true;
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
