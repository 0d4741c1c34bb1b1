#include "session_status_bar.h"

#include "elided_label.h"
#include "formatting.h"
#include "risk_kill_switch.h"
#include "risk_terms.h"
#include "risk_tone_label.h"
#include "theme.h"

#include <QEvent>
#include <QFileInfo>
#include <QLabel>
#include <QTime>

#include <cmath>

namespace bourse::ui {

QString replaySpeedLabel(double speed)
{
    if (speed <= 0.0)
        return QObject::tr("max");
    return QStringLiteral("%1x").arg(speed);
}

QString replayStateName(ReplayState state)
{
    switch (state) {
    case ReplayState::Idle:
        return QObject::tr("Ready");
    case ReplayState::Playing:
        return QObject::tr("Playing");
    case ReplayState::Paused:
        return QObject::tr("Paused");
    case ReplayState::Finished:
        return QObject::tr("Finished");
    case ReplayState::Failed:
        return QObject::tr("Failed");
    }
    return {};
}

namespace {

// "1 message" or "2 messages", with the count grouped by thousands. English only: the
// terminal ships no translations yet.
QString countOf(std::size_t count, const QString &singular, const QString &plural)
{
    const QString number = formatCount(static_cast<std::int64_t>(count));
    return QStringLiteral("%1 %2").arg(number, count == 1 ? singular : plural);
}

} // namespace

QString globalKillSwitchText(KillSwitchScope scope)
{
    if (scope == KillSwitchScope::None)
        return {};
    return QObject::tr("KILL SWITCH: %1 (all accounts)").arg(killSwitchTitle(scope).toUpper());
}

QString engagedKillSwitchText(const TraderView &trader)
{
    QStringList parts;
    if (trader.globalKillSwitch != KillSwitchScope::None)
        parts << globalKillSwitchText(trader.globalKillSwitch);
    for (const RiskMonitor &risk : trader.risk) {
        if (risk.killSwitch == KillSwitchScope::None)
            continue;
        parts << QObject::tr("KILL SWITCH: %1 (%2)")
                     .arg(killSwitchTitle(risk.killSwitch).toUpper(),
                          killSwitchTarget(risk.account));
    }
    return parts.join(QStringLiteral(" \u00b7 "));
}

QString replayStatusText(const MarketView &view)
{
    QString text =
        QStringLiteral("%1 %2 \u00b7 %3 \u00b7 %4")
            .arg(replayStateName(view.replayState), replaySpeedLabel(view.replaySpeed),
                 formatTimeOfDay(view.replayTime, TimePrecision::Milliseconds),
                 countOf(view.replayMessages, QObject::tr("message"), QObject::tr("messages")));
    if (view.replayMismatches > 0) {
        text += QStringLiteral(" \u00b7 ") + countOf(view.replayMismatches,
                                                     QObject::tr("book mismatch"),
                                                     QObject::tr("book mismatches"));
    }
    return text;
}

SessionStatusBar::SessionStatusBar(QWidget *parent)
    : QStatusBar(parent)
    , m_mode(new ElidedLabel(this))
    , m_replay(new QLabel(this))
    , m_notice(new ElidedLabel(this))
    , m_error(new ElidedLabel(this))
    , m_missed(new QLabel(this))
    , m_rate(new QLabel(this))
    , m_sequence(new QLabel(this))
    , m_durable(new QLabel(this))
    , m_connection(new RiskToneLabel(this))
    , m_killSwitch(new RiskToneLabel(this))
    , m_marketClock(new QLabel(this))
    , m_wallClock(new QLabel(this))
{
    setSizeGripEnabled(false);
    m_mode->setObjectName(QStringLiteral("modeLabel"));
    m_replay->setObjectName(QStringLiteral("replayLabel"));
    m_notice->setObjectName(QStringLiteral("noticeLabel"));
    // Notices put what matters first, such as what a recovery kept, and a path last.
    m_notice->setElideMode(Qt::ElideRight);
    m_error->setObjectName(QStringLiteral("errorLabel"));
    const QFont digits = theme::monospaceFont();
    m_durable->setObjectName(QStringLiteral("durableLabel"));
    m_rate->setObjectName(QStringLiteral("rateLabel"));
    m_sequence->setObjectName(QStringLiteral("sequenceLabel"));
    m_missed->setObjectName(QStringLiteral("missedLabel"));
    m_durable->setToolTip(tr("The last event the journal has committed to disk: everything up "
                             "to it survives a crash."));
    m_connection->setObjectName(QStringLiteral("connectionLabel"));
    m_killSwitch->setObjectName(QStringLiteral("killSwitchLabel"));
    m_killSwitch->setTone(RiskToneLabel::Tone::Alarm);
    QFont bold = m_killSwitch->font();
    bold.setBold(true);
    m_killSwitch->setFont(bold);
    m_killSwitch->setToolTip(tr("An engaged kill switch rejects the new orders of its account, "
                                "or of every account for the global one. Reset it in the risk "
                                "dashboard."));
    m_marketClock->setObjectName(QStringLiteral("marketClockLabel"));
    m_marketClock->setToolTip(tr("Market time of the last event"));
    m_wallClock->setObjectName(QStringLiteral("wallClockLabel"));
    m_wallClock->setToolTip(tr("Wall clock, local time"));
    for (QLabel *label :
         {m_replay, m_missed, m_rate, m_sequence, m_durable, m_marketClock, m_wallClock})
        label->setFont(digits);
    m_missed->setToolTip(tr("Trades that never reached the time and sales list: the session "
                            "left them out of a full view, or replaced their view before the "
                            "terminal read it. Bars and the book include them."));

    applyErrorColor();

    addWidget(m_mode);
    addWidget(m_connection);
    addWidget(m_replay);
    addWidget(m_killSwitch);
    addWidget(m_notice, 1);
    addWidget(m_error, 1);
    addPermanentWidget(m_missed);
    addPermanentWidget(m_rate);
    addPermanentWidget(m_sequence);
    addPermanentWidget(m_durable);
    addPermanentWidget(m_marketClock);
    addPermanentWidget(m_wallClock);
    setConnectionState(tr("Local"), ConnectionSeverity::Normal);
    clear();

    m_clockTimer.setInterval(1000);
    connect(&m_clockTimer, &QTimer::timeout, this, &SessionStatusBar::showWallClock);
    m_clockTimer.start();
    showWallClock();
}

void SessionStatusBar::applyErrorColor()
{
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, theme::errorColor());
    m_error->setPalette(errorPalette);
}

void SessionStatusBar::changeEvent(QEvent *event)
{
    // The error label's colour is a palette entry, so it is set again when the theme changes.
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyErrorColor();
    QStatusBar::changeEvent(event);
}

void SessionStatusBar::showWallClock()
{
    m_wallClock->setText(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")));
}

void SessionStatusBar::setConnectionState(const QString &text, ConnectionSeverity severity,
                                          const QString &toolTip)
{
    m_connection->setText(text);
    m_connection->setToolTip(toolTip.isEmpty()
                                 ? tr("The link to the engine: Local when it runs in the terminal.")
                                 : toolTip);
    switch (severity) {
    case ConnectionSeverity::Normal:
        m_connection->setTone(RiskToneLabel::Tone::Plain);
        break;
    case ConnectionSeverity::Warning:
        m_connection->setTone(RiskToneLabel::Tone::Warning);
        break;
    case ConnectionSeverity::Error:
        m_connection->setTone(RiskToneLabel::Tone::Loss);
        break;
    }
}

void SessionStatusBar::setRemoteEndpoint(const QString &endpoint)
{
    m_remoteEndpoint = endpoint;
    m_hosting = false;
    if (!endpoint.isEmpty())
        m_mode->setFullText(tr("Remote: %1").arg(endpoint));
}

void SessionStatusBar::setHostingEndpoint(const QString &endpoint, const QString &market)
{
    setRemoteEndpoint(endpoint);
    m_hosting = !endpoint.isEmpty();
    m_hostedMarket = market;
    if (m_hosting)
        m_mode->setFullText(tr("Hosting on %1 \u00b7 %2").arg(endpoint, market));
}

void SessionStatusBar::showView(const std::shared_ptr<const MarketView> &view)
{
    if (view)
        setView(*view);
}

void SessionStatusBar::setSimulationSeed(std::optional<std::uint64_t> seed)
{
    m_seed = seed;
}

void SessionStatusBar::setNotice(const QString &text)
{
    m_notice->setFullText(text);
    // Hidden while empty, so that the error has the whole width.
    m_notice->setVisible(!text.isEmpty());
}

void SessionStatusBar::clear()
{
    m_mode->setFullText(tr("Starting\u2026"));
    m_replay->hide();
    setNotice({});
    m_error->setFullText({});
    m_missed->hide();
    m_rate->setText(tr("\u2014 events/s"));
    m_sequence->setText(tr("Seq \u2014"));
    m_durable->hide();
    m_killSwitch->hide();
    m_marketClock->hide();
}

void SessionStatusBar::setDurableSequence(std::optional<SequenceNumber> sequence)
{
    if (!sequence) {
        m_durable->setText(tr("Not journaled"));
        m_durable->show();
        return;
    }
    m_durable->setText(tr("Durable %1").arg(formatCount(static_cast<std::int64_t>(*sequence))));
    m_durable->show();
}

void SessionStatusBar::setView(const MarketView &view)
{
    m_mode->setFullText(modeText(view));

    const bool replay = view.mode == SessionMode::Replay;
    m_replay->setVisible(replay);
    if (replay)
        m_replay->setText(replayStatusText(view));

    // A stale replayed book is shown in the error colour until the source heals it, so that
    // its last levels never pass for the market.
    if (!view.error.empty() || view.replayStale.empty())
        m_error->setFullText(QString::fromStdString(view.error));
    else
        m_error->setFullText(tr("STALE BOOK: %1").arg(QString::fromStdString(view.replayStale)));

    const auto rate = static_cast<std::int64_t>(std::llround(view.eventsPerSecond));
    m_rate->setText(tr("%1 events/s").arg(formatCount(rate)));
    m_sequence->setText(
        tr("Seq %1").arg(formatCount(static_cast<std::int64_t>(view.lastSequence))));

    const QString killSwitch = engagedKillSwitchText(view.trader);
    m_killSwitch->setText(killSwitch);
    m_killSwitch->setVisible(!killSwitch.isEmpty());

    // A replay shows its market time in the replay label already, and a view before the first
    // event has none yet.
    const bool marketClock = !replay && view.lastSequence != 0;
    m_marketClock->setVisible(marketClock);
    if (marketClock)
        m_marketClock->setText(
            tr("Market %1").arg(formatTimeOfDay(view.marketTime, TimePrecision::Seconds)));
}

void SessionStatusBar::setMissedTrades(std::uint64_t count)
{
    m_missed->setVisible(count > 0);
    if (count > 0)
        m_missed->setText(tr("Tape missed %1").arg(formatCount(static_cast<std::int64_t>(count))));
}

QString SessionStatusBar::modeText(const MarketView &view) const
{
    if (m_hosting)
        return tr("Hosting on %1 \u00b7 %2").arg(m_remoteEndpoint, m_hostedMarket);
    if (!m_remoteEndpoint.isEmpty())
        return tr("Remote: %1").arg(m_remoteEndpoint);
    if (view.mode == SessionMode::Replay && view.replayLive)
        return tr("Live feed: %1").arg(QString::fromStdString(view.replaySource));
    if (view.mode == SessionMode::Replay) {
        const QString path = QString::fromStdString(view.replaySource);
        return tr("Replay: %1").arg(QFileInfo(path).fileName());
    }
    if (m_seed)
        return tr("Simulation (seed %1)").arg(*m_seed);
    return tr("Simulation");
}

} // namespace bourse::ui
