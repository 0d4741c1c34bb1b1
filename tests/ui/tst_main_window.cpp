#include "candle_chart.h"
#include "ladder_model.h"
#include "main_window.h"
#include "time_and_sales_model.h"

#include <QFileInfo>
#include <QImage>
#include <QTableView>
#include <QTest>

using bourse::ui::CandleChart;
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
    void replayFillsLadderAndTape();
    void missingReplayFileReportsError();
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

QTEST_MAIN(MainWindowTest)
#include "tst_main_window.moc"
