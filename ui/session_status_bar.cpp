#include "session_status_bar.h"

#include "elided_label.h"
#include "formatting.h"
#include "theme.h"

#include <QFileInfo>
#include <QLabel>

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
{
    setSizeGripEnabled(false);
    m_mode->setObjectName(QStringLiteral("modeLabel"));
    m_replay->setObjectName(QStringLiteral("replayLabel"));
    m_notice->setObjectName(QStringLiteral("noticeLabel"));
    m_error->setObjectName(QStringLiteral("errorLabel"));
    const QFont digits = theme::monospaceFont();
    m_durable->setObjectName(QStringLiteral("durableLabel"));
    m_durable->setToolTip(tr("The last event the journal has committed to disk: everything up "
                             "to it survives a crash."));
    for (QLabel *label : {m_replay, m_missed, m_rate, m_sequence, m_durable})
        label->setFont(digits);
    m_missed->setToolTip(tr("Trades that never reached the time and sales list: the session "
                            "left them out of a full view, or replaced their view before the "
                            "terminal read it. Bars and the book include them."));

    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, theme::errorColor());
    m_error->setPalette(errorPalette);

    addWidget(m_mode);
    addWidget(m_replay);
    addWidget(m_notice, 1);
    addWidget(m_error, 1);
    addPermanentWidget(m_missed);
    addPermanentWidget(m_rate);
    addPermanentWidget(m_sequence);
    addPermanentWidget(m_durable);
    clear();
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

    m_error->setFullText(QString::fromStdString(view.error));

    const auto rate = static_cast<std::int64_t>(std::llround(view.eventsPerSecond));
    m_rate->setText(tr("%1 events/s").arg(formatCount(rate)));
    m_sequence->setText(
        tr("Seq %1").arg(formatCount(static_cast<std::int64_t>(view.lastSequence))));
}

void SessionStatusBar::setMissedTrades(std::uint64_t count)
{
    m_missed->setVisible(count > 0);
    if (count > 0)
        m_missed->setText(tr("Tape missed %1").arg(formatCount(static_cast<std::int64_t>(count))));
}

QString SessionStatusBar::modeText(const MarketView &view) const
{
    if (view.mode == SessionMode::Replay) {
        const QString path = QString::fromStdString(view.replaySource);
        return tr("Replay: %1").arg(QFileInfo(path).fileName());
    }
    if (m_seed)
        return tr("Simulation (seed %1)").arg(*m_seed);
    return tr("Simulation");
}

} // namespace bourse::ui
