#pragma once

#include "session.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

class QAbstractItemModel;

namespace bourse::ui {

class MainWindow;

// The figures of one run of the UI benchmark. Stalls are the lateness of a 1 ms timer on the
// UI thread: how long the event loop was busy before it could turn again, which is how long
// a key press or a click would have waited.
struct UiBenchmarkResult {
    double requestedEventsPerSecond = 0.0;
    double eventsPerSecond = 0.0; // achieved: engine events over the measured wall time
    std::uint64_t events = 0;
    double seconds = 0.0; // measured wall time, the warm-up excluded
    double stallP50Milliseconds = 0.0;
    double stallP99Milliseconds = 0.0;
    double stallMaxMilliseconds = 0.0;
    std::size_t stallSamples = 0;
    double repaintsPerSecond = 0.0;   // paint events received by the panels' widgets
    double viewsPerSecond = 0.0;      // views the feed handed to the panels
    std::vector<double> rssMegabytes; // resident set size, once a second from the start
    // Megabytes the allocator has handed out and not taken back, sampled with the resident size.
    // Resident memory that grows while this stays flat is the allocator keeping freed memory,
    // not live data growing. Empty where the C library cannot tell.
    std::vector<double> heapMegabytes;
    // Milliseconds each panel spent in showView() per view, by panel object name; painting
    // and layout are not in it.
    std::vector<std::pair<QString, double>> viewMillisecondsByPanel;
    // How long the UI thread is busy when the trader switches the theme: applying it, then the
    // polish, layout and repaint it causes. The median of a few switches each way.
    double themeSwitchMilliseconds = 0.0;
    bool screenMatchesEngine = false;
    QString mismatch; // the first difference between the screen and the engine, if any
    QString platform; // the Qt platform plugin the window ran on
};

// Drives the real window with a simulated market at a given event rate, measures the UI
// thread, then pauses the market and compares the ladder on screen with the engine's book.
class UiBenchmark {
public:
    struct Options {
        double eventsPerSecond = 100'000.0;
        int seconds = 10;
        std::uint64_t seed = 1;
    };

    UiBenchmark(MainWindow &window, Options options);

    // Runs the benchmark in nested event loops and returns its figures. The window must be
    // shown. It starts a new simulation on the window, which keeps running paused afterwards.
    UiBenchmarkResult run();

private:
    void waitMilliseconds(int milliseconds);
    std::shared_ptr<const MarketView> waitForFinalView();
    void compareScreenWithEngine(const MarketView &view, UiBenchmarkResult &result);
    void measureThemeSwitch(UiBenchmarkResult &result);

    MainWindow &m_window;
    Options m_options;
};

// Compares the ladder model's price, bid size and ask size columns with the engine's book:
// each row whose price lies within the book's depth must show the engine's quantity at that
// price on its side, or nothing. Returns the first difference, or nothing when they match.
std::optional<QString> compareLadderWithBook(const QAbstractItemModel &ladder,
                                             const BookDepth &book, int quantityDecimals);

// The resident set size of this process in megabytes, from /proc/self/statm; 0 where that
// file is missing.
double residentMegabytes();

// The bytes the C allocator has handed out and not taken back, in megabytes; nothing where the
// C library does not report them.
std::optional<double> heapInUseMegabytes();

// How fast memory grew over the second half of samples taken a second apart, in KB a second:
// the slope of a least-squares line, so one late allocation does not read as a trend. The first
// half is the warm-up. Zero with fewer than three samples.
double growthKilobytesPerSecond(const std::vector<double> &megabytesPerSecond);

// The figures as lines for a person, and as one JSON object with the keys docs/terminal.md
// lists.
QString formatUiBenchmarkText(const UiBenchmarkResult &result);
QByteArray formatUiBenchmarkJson(const UiBenchmarkResult &result);

} // namespace bourse::ui
