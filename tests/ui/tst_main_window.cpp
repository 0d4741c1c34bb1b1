#include "candle_chart.h"
#include "elided_label.h"
#include "ladder_model.h"
#include "main_window.h"
#include "time_and_sales_model.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using bourse::ui::CandleChart;
using bourse::ui::ElidedLabel;
using bourse::ui::LadderModel;
using bourse::ui::MainWindow;
using bourse::ui::TimeAndSalesModel;

namespace {

constexpr int timeoutMilliseconds = 20'000;

QString dataDirectory()
{
    const QByteArray fromEnvironment = qgetenv("BOURSE_DATA_DIR");
    return fromEnvironment.isEmpty() ? QStringLiteral(BOURSE_DEFAULT_DATA_DIR)
                                     : QString::fromLocal8Bit(fromEnvironment);
}

template <typename Model>
Model *modelOf(const MainWindow &window, const char *viewName)
{
    const auto *view = window.findChild<QTableView *>(QString::fromLatin1(viewName));
    return view ? qobject_cast<Model *>(view->model()) : nullptr;
}

QString ladderPrice(const LadderModel &model, int row)
{
    return model.index(row, LadderModel::PriceColumn).data().toString();
}

// True when the image has more than one colour, so something was drawn on the background.
bool hasContent(const QImage &image)
{
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7) {
            if (image.pixel(x, y) != first)
                return true;
        }
    }
    return false;
}

} // namespace

class MainWindowTest : public QObject {
    Q_OBJECT

private slots:
    void simulationFillsEveryPanel();
    void simulationOffersPause();
    void replayFillsLadderAndTape();
    void missingReplayFileReportsError();
    void longReplayErrorKeepsWindowWidth();
};

void MainWindowTest::simulationFillsEveryPanel()
{
    MainWindow window;
    window.startSimulation(7);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.windowTitle(), QStringLiteral("Bourse"));

    auto *ladder = modelOf<LadderModel>(window, "ladderView");
    auto *tape = modelOf<TimeAndSalesModel>(window, "tapeView");
    auto *chart = window.findChild<CandleChart *>(QStringLiteral("candleChart"));
    QVERIFY(ladder);
    QVERIFY(tape);
    QVERIFY(chart);

    QTRY_VERIFY_WITH_TIMEOUT(!ladderPrice(*ladder, ladder->bestBidRow()).isEmpty(),
                             timeoutMilliseconds);
    QTRY_VERIFY_WITH_TIMEOUT(!ladderPrice(*ladder, ladder->bestAskRow()).isEmpty(),
                             timeoutMilliseconds);
    QTRY_VERIFY_WITH_TIMEOUT(tape->rowCount() > 0, timeoutMilliseconds);
    QTRY_VERIFY_WITH_TIMEOUT(chart->barCount() > 0, timeoutMilliseconds);

    const QImage image = window.grab().toImage();
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= window.width());
    QVERIFY(image.height() >= window.height());
    QVERIFY(hasContent(image));
}

void MainWindowTest::simulationOffersPause()
{
    MainWindow window;
    window.startSimulation(11);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *playPause = window.findChild<QAction *>(QStringLiteral("playPauseAction"));
    QVERIFY(playPause);

    QTRY_COMPARE_WITH_TIMEOUT(playPause->text(), QStringLiteral("Pause"), timeoutMilliseconds);
    QVERIFY(playPause->isEnabled());

    playPause->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(playPause->text(), QStringLiteral("Play"), timeoutMilliseconds);
    QVERIFY(playPause->isEnabled());
}

void MainWindowTest::replayFillsLadderAndTape()
{
    const QString path = dataDirectory() +
                         QStringLiteral("/lobster/GOOG_2012-06-21_34200000_57600000_message_1.csv");
    if (!QFileInfo::exists(path))
        QSKIP(qPrintable(QStringLiteral("%1 not found; set BOURSE_DATA_DIR to the folder that "
                                        "contains lobster/")
                             .arg(path)));

    MainWindow window;
    const std::optional<QString> error = window.startReplay(path, 0.0);
    QVERIFY2(!error, error ? qPrintable(*error) : "");
    window.show();

    auto *ladder = modelOf<LadderModel>(window, "ladderView");
    auto *tape = modelOf<TimeAndSalesModel>(window, "tapeView");
    QVERIFY(ladder);
    QVERIFY(tape);
    QTRY_VERIFY_WITH_TIMEOUT(!ladderPrice(*ladder, ladder->bestBidRow()).isEmpty(),
                             timeoutMilliseconds);
    QTRY_VERIFY_WITH_TIMEOUT(tape->rowCount() > 0, timeoutMilliseconds);

    // GOOG traded near $580 that day, and LOBSTER prices carry four decimals.
    const QString bestBid = ladderPrice(*ladder, ladder->bestBidRow());
    QVERIFY2(bestBid.startsWith(QStringLiteral("5")), qPrintable(bestBid));
    QCOMPARE(bestBid.size() - bestBid.indexOf(QChar('.')) - 1, 4);
}

void MainWindowTest::missingReplayFileReportsError()
{
    const QString path = QStringLiteral("/nonexistent/GOOG_message_10.csv");
    MainWindow window;
    window.startSimulation(3);

    const std::optional<QString> error = window.startReplay(path, 1.0);

    QVERIFY(error.has_value());
    QVERIFY2(error->contains(path), qPrintable(*error));
}

// A malformed line in a file deep in nested folders fails the replay with "path:line: what",
// an error wider than any screen. The window must keep its width and elide the error.
void MainWindowTest::longReplayErrorKeepsWindowWidth()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QString folder = root.path();
    for (int depth = 1; depth <= 30; ++depth)
        folder += QStringLiteral("/nested-folder-level-%1").arg(depth);
    QVERIFY(QDir().mkpath(folder));
    const QString path =
        folder + QStringLiteral("/GOOG_2012-06-21_34200000_57600000_message_1.csv");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("34200.01,1,1,100,5858000,1\n"
               "34200.02,1,2,100,5859000,-1\n"
               "this is not a LOBSTER message\n");
    file.close();

    MainWindow window;
    window.resize(1400, 850);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const std::optional<QString> error = window.startReplay(path, 0.0);
    QVERIFY2(!error, error ? qPrintable(*error) : "");

    auto *errorLabel = window.findChild<ElidedLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(errorLabel);
    QTRY_VERIFY_WITH_TIMEOUT(!errorLabel->fullText().isEmpty(), timeoutMilliseconds);
    QCoreApplication::processEvents();

    const QString fullError = errorLabel->fullText();
    QVERIFY2(fullError.startsWith(path + QStringLiteral(":3: ")), qPrintable(fullError));
    QVERIFY2(window.fontMetrics().horizontalAdvance(fullError) > 1600,
             "the error fits a screen, so it cannot show the window widening");
    QCOMPARE(window.width(), 1400);
    QVERIFY2(window.minimumSizeHint().width() <= 1400,
             qPrintable(QString::number(window.minimumSizeHint().width())));
    QVERIFY(errorLabel->isElided());
    QCOMPARE(errorLabel->toolTip(), fullError);
}

QTEST_MAIN(MainWindowTest)
#include "tst_main_window.moc"
