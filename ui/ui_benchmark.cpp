#include "ui_benchmark.h"

#include "formatting.h"
#include "ladder_model.h"
#include "ladder_panel.h"
#include "main_window.h"
#include "market_feed.h"
#include "theme.h"
#include "workspace_layouts.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace bourse::ui {

namespace {

constexpr int warmUpMilliseconds = 1000;
constexpr int probeIntervalMilliseconds = 1;
constexpr auto queryTimeout = std::chrono::seconds(5);

// Counts the paint events that reach widgets inside a dock of the window, installed on the
// application so that it receives every widget's events.
class PaintCounter : public QObject {
public:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::Paint || !watched->isWidgetType())
            return false;
        for (QObject *object = watched; object; object = object->parent()) {
            if (qobject_cast<QDockWidget *>(object)) {
                ++count;
                break;
            }
        }
        return false;
    }

    std::uint64_t count = 0;
};

// The nearest-rank percentile of sorted samples.
double percentile(const std::vector<double> &sorted, double fraction)
{
    if (sorted.empty())
        return 0.0;
    const auto rank =
        static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

std::map<std::int64_t, Quantity> byPrice(const std::vector<LevelSummary> &levels)
{
    std::map<std::int64_t, Quantity> sizes;
    for (const LevelSummary &level : levels)
        sizes[level.price.value()] = level.quantity;
    return sizes;
}

} // namespace

UiBenchmark::UiBenchmark(MainWindow &window, Options options)
    : m_window(window)
    , m_options(options)
{
}

UiBenchmarkResult UiBenchmark::run()
{
    UiBenchmarkResult result;
    result.requestedEventsPerSecond = m_options.eventsPerSecond;
    result.platform = QGuiApplication::platformName();

    Session::Options sessionOptions;
    sessionOptions.simulationEventsPerSecond = m_options.eventsPerSecond;
    m_window.setSessionOptions(sessionOptions);
    m_window.startSimulation(m_options.seed);
    // The first views build the tables and lay out the columns, which shows nothing of the
    // steady state.
    waitMilliseconds(warmUpMilliseconds);

    std::vector<double> stalls;
    stalls.reserve(static_cast<std::size_t>(m_options.seconds) * 1100);
    QElapsedTimer sinceTick;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const double gap = static_cast<double>(sinceTick.nsecsElapsed()) / 1e6;
        sinceTick.restart();
        stalls.push_back(std::max(0.0, gap - probeIntervalMilliseconds));
    });

    PaintCounter paints;
    std::uint64_t views = 0;
    const QMetaObject::Connection viewCount =
        QObject::connect(&m_window.feed(), &MarketFeed::viewChanged, [&views] { ++views; });
    QTimer sampler;
    const auto sampleMemory = [&result] {
        result.rssMegabytes.push_back(residentMegabytes());
        if (const std::optional<double> heap = heapInUseMegabytes())
            result.heapMegabytes.push_back(*heap);
    };
    QObject::connect(&sampler, &QTimer::timeout, sampleMemory);

    const std::shared_ptr<const MarketView> first = m_window.feed().currentView();
    const std::vector<MainWindow::PanelTime> panelTimesBefore = m_window.panelViewTimes();
    QElapsedTimer measured;
    measured.start();
    sampleMemory();
    qApp->installEventFilter(&paints);
    sinceTick.start();
    probe.start(probeIntervalMilliseconds);
    sampler.start(1000);

    waitMilliseconds(m_options.seconds * 1000);

    probe.stop();
    sampler.stop();
    qApp->removeEventFilter(&paints);
    QObject::disconnect(viewCount);
    result.seconds = static_cast<double>(measured.nsecsElapsed()) / 1e9;
    // The growth figures take the samples as one second apart. The timer's last tick can land
    // just before the end, and a second sample a few milliseconds later would skew them.
    const auto ticks = static_cast<std::size_t>(result.seconds);
    if (result.rssMegabytes.size() <= ticks)
        sampleMemory();
    const std::shared_ptr<const MarketView> last = m_window.feed().currentView();

    if (first && last && last->totalEvents >= first->totalEvents) {
        result.events = last->totalEvents - first->totalEvents;
        result.eventsPerSecond = static_cast<double>(result.events) / result.seconds;
    }
    std::sort(stalls.begin(), stalls.end());
    result.stallSamples = stalls.size();
    result.stallP50Milliseconds = percentile(stalls, 0.50);
    result.stallP99Milliseconds = percentile(stalls, 0.99);
    result.stallMaxMilliseconds = stalls.empty() ? 0.0 : stalls.back();
    result.repaintsPerSecond = static_cast<double>(paints.count) / result.seconds;
    result.viewsPerSecond = static_cast<double>(views) / result.seconds;
    const std::vector<MainWindow::PanelTime> &panelTimes = m_window.panelViewTimes();
    for (std::size_t i = 0; i < panelTimes.size() && i < panelTimesBefore.size(); ++i) {
        const auto spent =
            static_cast<double>(panelTimes[i].nanoseconds - panelTimesBefore[i].nanoseconds);
        result.viewMillisecondsByPanel.emplace_back(
            panelTimes[i].panel, views == 0 ? 0.0 : spent / 1e6 / static_cast<double>(views));
    }

    if (const std::shared_ptr<const MarketView> final = waitForFinalView())
        compareScreenWithEngine(*final, result);
    else
        result.mismatch = QStringLiteral("no view arrived after the pause");
    measureThemeSwitch(result);
    return result;
}

void UiBenchmark::measureThemeSwitch(UiBenchmarkResult &result)
{
    constexpr int switches = 6;
    const theme::Theme original = theme::current();
    std::vector<double> milliseconds;
    for (int i = 0; i < switches; ++i) {
        const theme::Theme other =
            theme::current() == theme::Theme::Dark ? theme::Theme::Light : theme::Theme::Dark;
        QElapsedTimer timer;
        timer.start();
        m_window.setTheme(other);
        // The polish, layout and paint events the switch posted run before input would.
        QCoreApplication::processEvents();
        milliseconds.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    if (theme::current() != original)
        m_window.setTheme(original);
    std::sort(milliseconds.begin(), milliseconds.end());
    result.themeSwitchMilliseconds = percentile(milliseconds, 0.50);
}

void UiBenchmark::waitMilliseconds(int milliseconds)
{
    QEventLoop loop;
    QTimer::singleShot(milliseconds, Qt::PreciseTimer, &loop, &QEventLoop::quit);
    loop.exec();
}

// Pauses the market and waits until the views stop changing: a paused engine publishes one
// view in state Paused and then only the decaying event rate, at the same sequence number.
std::shared_ptr<const MarketView> UiBenchmark::waitForFinalView()
{
    Session *session = m_window.session();
    if (!session)
        return nullptr;
    session->pause();

    constexpr int stepMilliseconds = 50;
    constexpr int stableSteps = 4;
    constexpr int maxSteps = 100;
    SequenceNumber lastSequence = 0;
    int stable = 0;
    for (int step = 0; step < maxSteps && stable < stableSteps; ++step) {
        waitMilliseconds(stepMilliseconds);
        const std::shared_ptr<const MarketView> &view = m_window.feed().currentView();
        if (!view || view->replayState != ReplayState::Paused) {
            stable = 0;
            continue;
        }
        stable = view->lastSequence == lastSequence ? stable + 1 : 0;
        lastSequence = view->lastSequence;
    }
    // The panels received the view in the feed's signal, and processing events paints it.
    QCoreApplication::processEvents();
    return stable >= stableSteps ? m_window.feed().currentView() : nullptr;
}

void UiBenchmark::compareScreenWithEngine(const MarketView &view, UiBenchmarkResult &result)
{
    const auto *dock = m_window.findChild<QDockWidget *>(QString::fromLatin1(dock::ladder));
    const auto *panel = dock ? qobject_cast<const LadderPanel *>(dock->widget()) : nullptr;
    const QAbstractItemModel *ladder = panel ? panel->model() : nullptr;
    if (!ladder) {
        result.mismatch = QStringLiteral("the window has no ladder");
        return;
    }

    std::future<BookDepth> query = m_window.session()->queryBook(
        view.instrument, std::max(view.bids.size(), view.asks.size()));
    if (query.wait_for(queryTimeout) != std::future_status::ready) {
        result.mismatch = QStringLiteral("the engine did not return its book within 5 s");
        return;
    }
    const BookDepth book = query.get();
    if (book.lastSequence != view.lastSequence) {
        result.mismatch = QStringLiteral("the engine is at event %1, the screen at %2")
                              .arg(book.lastSequence)
                              .arg(view.lastSequence);
        return;
    }
    const std::optional<QString> difference =
        compareLadderWithBook(*ladder, book, view.quantityDecimals);
    result.screenMatchesEngine = !difference;
    result.mismatch = difference.value_or(QString());
}

std::optional<QString> compareLadderWithBook(const QAbstractItemModel &ladder,
                                             const BookDepth &book, int quantityDecimals)
{
    const std::map<std::int64_t, Quantity> bids = byPrice(book.bids);
    const std::map<std::int64_t, Quantity> asks = byPrice(book.asks);
    // Beyond the deepest level returned the engine may hold more, which the ladder shows.
    const std::int64_t lowestBid = book.bids.empty() ? 0 : book.bids.back().price.value();
    const std::int64_t highestAsk = book.asks.empty() ? 0 : book.asks.back().price.value();

    const auto expectedText = [quantityDecimals](const std::map<std::int64_t, Quantity> &side,
                                                 std::int64_t price) {
        const auto level = side.find(price);
        return level == side.end() ? QString() : formatQuantity(level->second, quantityDecimals);
    };

    int compared = 0;
    for (int row = 0; row < ladder.rowCount(); ++row) {
        const QVariant price =
            ladder.index(row, LadderModel::PriceColumn).data(LadderModel::PriceRole);
        if (!price.isValid())
            continue;
        const std::int64_t ticks = price.toLongLong();
        const QString bidShown = ladder.index(row, LadderModel::BidSizeColumn).data().toString();
        const QString askShown = ladder.index(row, LadderModel::AskSizeColumn).data().toString();

        if (!book.bids.empty() && ticks >= lowestBid && bidShown != expectedText(bids, ticks)) {
            return QStringLiteral("bid size at %1 ticks: the screen shows '%2', the engine has "
                                  "'%3'")
                .arg(ticks)
                .arg(bidShown, expectedText(bids, ticks));
        }
        if (!book.asks.empty() && ticks <= highestAsk && askShown != expectedText(asks, ticks)) {
            return QStringLiteral("ask size at %1 ticks: the screen shows '%2', the engine has "
                                  "'%3'")
                .arg(ticks)
                .arg(askShown, expectedText(asks, ticks));
        }
        ++compared;
    }
    if (compared == 0)
        return QStringLiteral("the ladder shows no prices");
    return std::nullopt;
}

double residentMegabytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0.0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    if (fields.size() < 2)
        return 0.0;
    const double pages = fields.at(1).toDouble();
    return pages * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

std::optional<double> heapInUseMegabytes()
{
#if defined(__GLIBC__)
    // Walks every arena under its lock: cheap once a second, too slow for every frame.
    const struct mallinfo2 info = mallinfo2();
    return static_cast<double>(info.uordblks + info.hblkhd) / (1024.0 * 1024.0);
#else
    return std::nullopt;
#endif
}

double growthKilobytesPerSecond(const std::vector<double> &megabytesPerSecond)
{
    const std::size_t first = megabytesPerSecond.size() / 2;
    const std::size_t count = megabytesPerSecond.size() - first;
    if (count < 2)
        return 0.0;
    // Least-squares slope over the samples, taken one second apart.
    double meanX = 0.0;
    double meanY = 0.0;
    for (std::size_t i = 0; i < count; ++i) {
        meanX += static_cast<double>(i);
        meanY += megabytesPerSecond[first + i];
    }
    meanX /= static_cast<double>(count);
    meanY /= static_cast<double>(count);
    double covariance = 0.0;
    double variance = 0.0;
    for (std::size_t i = 0; i < count; ++i) {
        const double dx = static_cast<double>(i) - meanX;
        covariance += dx * (megabytesPerSecond[first + i] - meanY);
        variance += dx * dx;
    }
    return covariance / variance * 1024.0;
}

QString formatUiBenchmarkText(const UiBenchmarkResult &result)
{
    const auto number = [](double value, int decimals) {
        return QString::number(value, 'f', decimals);
    };
    const auto samples = [&number](const std::vector<double> &megabytes) {
        QStringList shown;
        for (double sample : megabytes)
            shown.append(number(sample, 1));
        return shown.join(QStringLiteral(" "));
    };

    QString text;
    text += QStringLiteral("platform            %1\n").arg(result.platform);
    text += QStringLiteral("events a second     %1 achieved of %2 requested (%3 events in %4 s)\n")
                .arg(number(result.eventsPerSecond, 0), number(result.requestedEventsPerSecond, 0))
                .arg(result.events)
                .arg(number(result.seconds, 2));
    text += QStringLiteral("UI stalls (ms)      p50 %1, p99 %2, max %3 over %4 timer ticks\n")
                .arg(number(result.stallP50Milliseconds, 2), number(result.stallP99Milliseconds, 2),
                     number(result.stallMaxMilliseconds, 2))
                .arg(result.stallSamples);
    text += QStringLiteral("repaints a second   %1 (views a second %2)\n")
                .arg(number(result.repaintsPerSecond, 1), number(result.viewsPerSecond, 1));
    QStringList panels;
    for (const auto &[panel, milliseconds] : result.viewMillisecondsByPanel)
        panels.append(QStringLiteral("%1 %2").arg(panel, number(milliseconds, 2)));
    text += QStringLiteral("ms a view by panel  %1\n").arg(panels.join(QStringLiteral(", ")));
    text += QStringLiteral("resident memory MB  %1\n").arg(samples(result.rssMegabytes));
    text += QStringLiteral("  second half       %1 KB a second\n")
                .arg(number(growthKilobytesPerSecond(result.rssMegabytes), 1));
    if (!result.heapMegabytes.empty()) {
        text += QStringLiteral("heap in use MB      %1\n").arg(samples(result.heapMegabytes));
        text += QStringLiteral("  second half       %1 KB a second\n")
                    .arg(number(growthKilobytesPerSecond(result.heapMegabytes), 1));
    }
    text +=
        QStringLiteral("theme switch ms     %1\n").arg(number(result.themeSwitchMilliseconds, 1));
    text += QStringLiteral("screen vs engine    %1\n")
                .arg(result.screenMatchesEngine ? QStringLiteral("the ladder matches the book")
                                                : QStringLiteral("differ: ") + result.mismatch);
    return text;
}

QByteArray formatUiBenchmarkJson(const UiBenchmarkResult &result)
{
    QJsonArray rss;
    for (double sample : result.rssMegabytes)
        rss.append(sample);

    QJsonObject object;
    object.insert(QStringLiteral("platform"), result.platform);
    object.insert(QStringLiteral("requested_events_per_second"), result.requestedEventsPerSecond);
    object.insert(QStringLiteral("events_per_second"), result.eventsPerSecond);
    object.insert(QStringLiteral("events"), static_cast<double>(result.events));
    object.insert(QStringLiteral("seconds"), result.seconds);
    object.insert(QStringLiteral("stall_p50_ms"), result.stallP50Milliseconds);
    object.insert(QStringLiteral("stall_p99_ms"), result.stallP99Milliseconds);
    object.insert(QStringLiteral("stall_max_ms"), result.stallMaxMilliseconds);
    object.insert(QStringLiteral("stall_samples"), static_cast<double>(result.stallSamples));
    object.insert(QStringLiteral("repaints_per_second"), result.repaintsPerSecond);
    object.insert(QStringLiteral("views_per_second"), result.viewsPerSecond);
    object.insert(QStringLiteral("rss_start_mb"),
                  result.rssMegabytes.empty() ? 0.0 : result.rssMegabytes.front());
    object.insert(QStringLiteral("rss_end_mb"),
                  result.rssMegabytes.empty() ? 0.0 : result.rssMegabytes.back());
    object.insert(QStringLiteral("rss_mb"), rss);
    object.insert(QStringLiteral("rss_growth_kb_per_s"),
                  growthKilobytesPerSecond(result.rssMegabytes));
    if (!result.heapMegabytes.empty()) {
        QJsonArray heap;
        for (double sample : result.heapMegabytes)
            heap.append(sample);
        object.insert(QStringLiteral("heap_in_use_mb"), heap);
        object.insert(QStringLiteral("heap_growth_kb_per_s"),
                      growthKilobytesPerSecond(result.heapMegabytes));
    }
    QJsonObject panels;
    for (const auto &[panel, milliseconds] : result.viewMillisecondsByPanel)
        panels.insert(panel, milliseconds);
    object.insert(QStringLiteral("view_ms_by_panel"), panels);
    object.insert(QStringLiteral("theme_switch_ms"), result.themeSwitchMilliseconds);
    object.insert(QStringLiteral("screen_matches_engine"), result.screenMatchesEngine);
    object.insert(QStringLiteral("mismatch"), result.mismatch);
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace bourse::ui
