#include "main_window.h"
#include "terminal_style.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QPainter>
#include <QSet>
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyleOption>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

using bourse::ui::MainWindow;
using bourse::ui::TerminalStyle;
namespace theme = bourse::ui::theme;

namespace {

// The colours of one scheme, copied from the scheme constants in ui/theme.cpp.
struct Colors {
    QColor window;
    QColor panel;
    QColor grid;
    QColor text;
    QColor mutedText;
    QColor accent;
    QColor accentText;
    QColor error;
};

const Colors darkColors{QColor(0x1b1f26), QColor(0x12151a), QColor(0x2a303a), QColor(0xd8dde4),
                        QColor(0x858d99), QColor(0x2f5b8a), QColor(0xffffff), QColor(0xff8a80)};
const Colors lightColors{QColor(0xeef0f3), QColor(0xffffff), QColor(0xd5dae1), QColor(0x1f2328),
                         QColor(0x5f6875), QColor(0x2f6fbf), QColor(0xffffff), QColor(0xb71c1c)};

const Colors &colorsOf(theme::Theme scheme)
{
    return scheme == theme::Theme::Light ? lightColors : darkColors;
}

// Three full blocks: inside the glyph every pixel has the exact pen colour, so a sample at the
// middle of the text reads the text colour without antialiasing.
const QString blocks = QStringLiteral("\u2588\u2588\u2588");

QImage grabOf(QWidget &widget)
{
    return widget.grab().toImage();
}

// Shows `widget` and waits until the window system has exposed it.
bool shown(QWidget &widget)
{
    widget.show();
    return QTest::qWaitForWindowExposed(&widget);
}

// Exposes QToolButton's style option, to draw states such as hover that a test cannot reach
// with the mouse on the offscreen platform.
class ProbeButton : public QToolButton {
public:
    using QToolButton::initStyleOption;
};

// Counts the polish and style change events of the widgets that exist when it is made, other
// than those in toolbars: the main window makes its toolbar anew at each switch.
class PolishCounter : public QObject {
public:
    PolishCounter()
    {
        const QWidgetList widgets = QApplication::allWidgets();
        for (QWidget *widget : widgets) {
            if (!insideToolBar(*widget))
                m_watched.insert(widget);
        }
    }

    int polishes = 0;
    int styleChanges = 0;
    int paletteChanges = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        auto *widget = qobject_cast<QWidget *>(watched);
        if (!widget || !m_watched.contains(widget) || insideToolBar(*widget))
            return false;
        if (event->type() == QEvent::Polish)
            ++polishes;
        else if (event->type() == QEvent::StyleChange)
            ++styleChanges;
        else if (event->type() == QEvent::PaletteChange)
            ++paletteChanges;
        return false;
    }

private:
    static bool insideToolBar(const QWidget &widget)
    {
        for (const QWidget *w = &widget; w; w = w->parentWidget()) {
            if (qobject_cast<const QToolBar *>(w))
                return true;
        }
        return false;
    }

    QSet<const QWidget *> m_watched;
};

} // namespace

Q_DECLARE_METATYPE(theme::Theme)

class ThemeTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void switchLeavesStyleSheetEmpty();
    void switchPolishesNoWidget();

    void headerSectionInThemeColours_data();
    void headerSectionInThemeColours();
    void dockTitleInThemeColours_data();
    void dockTitleInThemeColours();
    void toolButtonInThemeColours_data();
    void toolButtonInThemeColours();
    void hoveredToolButtonOnGrid_data();
    void hoveredToolButtonOnGrid();
    void tableGridInThemeColour_data();
    void tableGridInThemeColour();
    void menuInThemeColours_data();
    void menuInThemeColours();
    void barsLinedInGridColour_data();
    void barsLinedInGridColour();
    void dockSeparatorAccentOnHover_data();
    void dockSeparatorAccentOnHover();

    void ownPaletteLabelsFollowSwitch();
    void switchToLightMatchesLightStart();

private:
    static void addThemeRows();

    QTemporaryDir m_settingsDirectory;
};

void ThemeTest::initTestCase()
{
    // The main window reads and writes its workspaces in the settings.
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDirectory.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDirectory.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDirectory.path());
    QCoreApplication::setOrganizationName(QStringLiteral("BourseTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_theme"));
}

void ThemeTest::cleanup()
{
    theme::apply(*qApp, theme::Theme::Dark);
}

void ThemeTest::addThemeRows()
{
    QTest::addColumn<theme::Theme>("scheme");
    QTest::newRow("dark") << theme::Theme::Dark;
    QTest::newRow("light") << theme::Theme::Light;
}

void ThemeTest::switchLeavesStyleSheetEmpty()
{
    theme::apply(*qApp, theme::Theme::Dark);
    const QStyle *installed = qApp->style();

    theme::apply(*qApp, theme::Theme::Light);

    QVERIFY(qApp->styleSheet().isEmpty());
    QVERIFY(qobject_cast<const TerminalStyle *>(qApp->style()));
    QCOMPARE(qApp->style(), installed);
}

void ThemeTest::switchPolishesNoWidget()
{
    theme::apply(*qApp, theme::Theme::Dark);
    MainWindow window;
    window.setSettingsPersistent(false);
    window.resize(1200, 800);
    QVERIFY(shown(window));
    QCoreApplication::processEvents();

    PolishCounter counter;
    qApp->installEventFilter(&counter);
    window.setTheme(theme::Theme::Light);
    QCoreApplication::processEvents();
    qApp->removeEventFilter(&counter);

    QCOMPARE(counter.polishes, 0);
    QCOMPARE(counter.styleChanges, 0);
    QVERIFY(counter.paletteChanges > 0);
}

void ThemeTest::headerSectionInThemeColours_data()
{
    addThemeRows();
}

// The section in the window colour with a grid line under it, and the label in muted text.
void ThemeTest::headerSectionInThemeColours()
{
    QFETCH(theme::Theme, scheme);
    theme::apply(*qApp, scheme);
    const Colors &colors = colorsOf(scheme);
    QStandardItemModel model(1, 2);
    model.setHorizontalHeaderLabels({blocks, QStringLiteral("B")});
    QTableView table;
    table.setModel(&model);
    table.horizontalHeader()->resizeSection(0, 80);
    table.resize(240, 120);
    QVERIFY(shown(table));

    QHeaderView *header = table.horizontalHeader();
    const QImage image = grabOf(*header);
    const QRect section(0, 0, header->sectionSize(0), header->height());
    const QPoint labelMiddle = section.adjusted(6, 3, -6, -4).center();

    QCOMPARE(image.pixelColor(section.right() - 2, 1), colors.window);
    QCOMPARE(image.pixelColor(section.right() - 2, section.bottom()), colors.grid);
    QCOMPARE(image.pixelColor(labelMiddle), colors.mutedText);
}

void ThemeTest::dockTitleInThemeColours_data()
{
    addThemeRows();
}

void ThemeTest::dockTitleInThemeColours()
{
    QFETCH(theme::Theme, scheme);
    theme::apply(*qApp, scheme);
    const Colors &colors = colorsOf(scheme);
    QMainWindow window;
    auto *dock = new QDockWidget(blocks, &window);
    dock->setWidget(new QWidget(dock));
    window.addDockWidget(Qt::LeftDockWidgetArea, dock);
    window.resize(300, 200);
    QVERIFY(shown(window));

    const QImage image = grabOf(*dock);
    const int titleHeight = dock->widget()->geometry().top();

    QVERIFY(titleHeight > 0);
    QCOMPARE(image.pixelColor(2, 1), colors.window);
    // The title's text starts 12 px from the left edge.
    QCOMPARE(image.pixelColor(16, titleHeight / 2), colors.text);
}

void ThemeTest::toolButtonInThemeColours_data()
{
    QTest::addColumn<theme::Theme>("scheme");
    QTest::addColumn<bool>("checked");
    QTest::addColumn<bool>("enabled");
    for (theme::Theme scheme : {theme::Theme::Dark, theme::Theme::Light}) {
        const QByteArray name = theme::themeName(scheme).toLatin1();
        QTest::newRow(name + " checked") << scheme << true << true;
        QTest::newRow(name + " checked disabled") << scheme << true << false;
        QTest::newRow(name + " unchecked") << scheme << false << true;
    }
}

// A checked button has the accent background with accent text, a checked and disabled one the
// grid background with muted text, and an unchecked one none.
void ThemeTest::toolButtonInThemeColours()
{
    QFETCH(theme::Theme, scheme);
    QFETCH(bool, checked);
    QFETCH(bool, enabled);
    theme::apply(*qApp, scheme);
    const Colors &colors = colorsOf(scheme);
    QWidget host;
    auto *button = new QToolButton(&host);
    button->setText(blocks);
    button->setAutoRaise(true);
    button->setCheckable(true);
    button->setChecked(checked);
    button->setEnabled(enabled);
    button->resize(button->sizeHint());
    host.resize(button->size() + QSize(20, 20));
    // Away from the pointer, which the offscreen platform keeps at the top left of the screen.
    host.move(200, 200);
    QVERIFY(shown(host));

    const QImage image = grabOf(*button);
    const int middle = image.height() / 2;
    QColor background = colors.window;
    QColor text = colors.text;
    if (checked && enabled) {
        background = colors.accent;
        text = colors.accentText;
    } else if (checked) {
        background = colors.grid;
        text = colors.mutedText;
    }

    QCOMPARE(image.pixelColor(3, middle), background);
    QCOMPARE(image.pixelColor(image.width() / 2, middle), text);
}

void ThemeTest::hoveredToolButtonOnGrid_data()
{
    addThemeRows();
}

void ThemeTest::hoveredToolButtonOnGrid()
{
    QFETCH(theme::Theme, scheme);
    theme::apply(*qApp, scheme);
    ProbeButton button;
    button.setText(QStringLiteral("1m"));
    button.setAutoRaise(true);
    button.resize(button.sizeHint());
    QStyleOptionToolButton option;
    button.initStyleOption(&option);
    option.state |= QStyle::State_MouseOver | QStyle::State_Enabled;

    QImage image(button.size(), QImage::Format_RGB32);
    image.fill(Qt::black);
    QPainter painter(&image);
    button.style()->drawComplexControl(QStyle::CC_ToolButton, &option, &painter, &button);
    painter.end();

    QCOMPARE(image.pixelColor(3, image.height() / 2), colorsOf(scheme).grid);
}

void ThemeTest::tableGridInThemeColour_data()
{
    addThemeRows();
}

// QTableView reads its grid colour from the style hint at each paint, and has no frame.
void ThemeTest::tableGridInThemeColour()
{
    QFETCH(theme::Theme, scheme);
    theme::apply(*qApp, scheme);
    const QColor grid = colorsOf(scheme).grid;
    QStandardItemModel model(3, 3);
    QTableView table;
    table.setModel(&model);
    table.setShowGrid(true);
    for (int column = 0; column < 3; ++column)
        table.setColumnWidth(column, 40);
    table.resize(200, 150);
    QVERIFY(shown(table));

    QStyleOptionViewItem option;
    option.initFrom(&table);
    const auto hint = static_cast<QRgb>(
        table.style()->styleHint(QStyle::SH_Table_GridLineColor, &option, &table));
    const QImage image = grabOf(*table.viewport());
    const int rowMiddle = table.rowHeight(0) / 2;

    QCOMPARE(QColor::fromRgba(hint), grid);
    QCOMPARE(image.pixelColor(39, rowMiddle), grid);
    QCOMPARE(table.frameWidth(), 0);
}

void ThemeTest::menuInThemeColours_data()
{
    addThemeRows();
}

// The menu is the panel colour inside a grid border, the selected item is the accent, and a
// separator is a grid line.
void ThemeTest::menuInThemeColours()
{
    QFETCH(theme::Theme, scheme);
    theme::apply(*qApp, scheme);
    const Colors &colors = colorsOf(scheme);
    QMenu menu;
    QAction *first = menu.addAction(QStringLiteral("First"));
    QAction *separator = menu.addSeparator();
    QAction *second = menu.addAction(QStringLiteral("Second"));
    menu.popup(QPoint(0, 0));
    QVERIFY(QTest::qWaitForWindowExposed(&menu));
    menu.setActiveAction(first);

    const QImage image = grabOf(menu);
    const QRect selected = menu.actionGeometry(first);
    const QRect plain = menu.actionGeometry(second);
    const QRect line = menu.actionGeometry(separator);

    QCOMPARE(image.pixelColor(0, 0), colors.grid);
    QCOMPARE(image.pixelColor(selected.right() - 2, selected.center().y()), colors.accent);
    QCOMPARE(image.pixelColor(plain.right() - 2, plain.center().y()), colors.panel);
    QCOMPARE(image.pixelColor(line.center().x(), line.top() + 3), colors.grid);
    QCOMPARE(image.pixelColor(line.center().x(), line.top() + 1), colors.panel);
}

void ThemeTest::barsLinedInGridColour_data()
{
    addThemeRows();
}

// The menu bar and the toolbar have a grid line under them, the status bar one over it, and
// the labels in the status bar 10 px of padding either side.
void ThemeTest::barsLinedInGridColour()
{
    QFETCH(theme::Theme, scheme);
    theme::apply(*qApp, scheme);
    const Colors &colors = colorsOf(scheme);
    QMainWindow window;
    window.menuBar()->addMenu(QStringLiteral("File"));
    window.addToolBar(QStringLiteral("Tools"))->addAction(QStringLiteral("Run"));
    auto *label = new QLabel(QStringLiteral("Ready"));
    window.statusBar()->addWidget(label);
    window.setCentralWidget(new QWidget);
    window.resize(400, 300);
    QVERIFY(shown(window));

    const QImage image = grabOf(window);
    const int right = image.width() - 2;
    const QRect menuBar = window.menuBar()->geometry();
    const QRect toolBar = window.findChild<QToolBar *>()->geometry();
    const QRect statusBar = window.statusBar()->geometry();

    QCOMPARE(image.pixelColor(right, menuBar.bottom()), colors.grid);
    QCOMPARE(image.pixelColor(right, menuBar.bottom() - 2), colors.window);
    QCOMPARE(image.pixelColor(right, toolBar.bottom()), colors.grid);
    QCOMPARE(image.pixelColor(right, toolBar.bottom() - 2), colors.window);
    QCOMPARE(image.pixelColor(right, statusBar.top()), colors.grid);
    QCOMPARE(image.pixelColor(right, statusBar.top() + 2), colors.window);
    QCOMPARE(label->contentsMargins().left(), 10);
    QCOMPARE(label->contentsMargins().right(), 10);
}

void ThemeTest::dockSeparatorAccentOnHover_data()
{
    addThemeRows();
}

void ThemeTest::dockSeparatorAccentOnHover()
{
    QFETCH(theme::Theme, scheme);
    theme::apply(*qApp, scheme);
    const Colors &colors = colorsOf(scheme);
    QStyle *style = qApp->style();
    QStyleOption option;
    option.palette = qApp->palette();
    option.rect = QRect(0, 0, 2, 10);
    option.state = QStyle::State_Enabled;
    QImage image(option.rect.size(), QImage::Format_RGB32);
    QPainter painter(&image);

    style->drawPrimitive(QStyle::PE_IndicatorDockWidgetResizeHandle, &option, &painter);
    const QColor resting = image.pixelColor(1, 5);
    option.state |= QStyle::State_MouseOver;
    style->drawPrimitive(QStyle::PE_IndicatorDockWidgetResizeHandle, &option, &painter);
    const QColor hovered = image.pixelColor(1, 5);
    painter.end();

    QCOMPARE(style->pixelMetric(QStyle::PM_DockWidgetSeparatorExtent), 2);
    QCOMPARE(resting, colors.grid);
    QCOMPARE(hovered, colors.accent);
}

// Labels that set an error colour of their own take the colour of the new theme as soon as
// the switch returns, in a window that was never shown too.
void ThemeTest::ownPaletteLabelsFollowSwitch()
{
    theme::apply(*qApp, theme::Theme::Dark);
    MainWindow window;
    window.setSettingsPersistent(false);
    const QStringList names{QStringLiteral("errorLabel"), QStringLiteral("ladderWarning"),
                            QStringLiteral("accountsError")};

    for (theme::Theme scheme : {theme::Theme::Light, theme::Theme::Dark}) {
        window.setTheme(scheme);
        for (const QString &name : names) {
            const auto *label = window.findChild<QLabel *>(name);
            QVERIFY2(label, qPrintable(name));
            const QColor color = label->palette().color(label->foregroundRole());
            QVERIFY2(color == colorsOf(scheme).error,
                     qPrintable(QStringLiteral("%1 in %2 is %3")
                                    .arg(name, theme::themeName(scheme), color.name())));
        }
    }
}

// A switch at run time ends where a start in the light theme begins, pixel for pixel, except
// for the wall clock, which may have turned a second.
void ThemeTest::switchToLightMatchesLightStart()
{
    const auto grabWindow = [](bool switchAtRunTime) {
        theme::apply(*qApp, switchAtRunTime ? theme::Theme::Dark : theme::Theme::Light);
        MainWindow window;
        window.setSettingsPersistent(false);
        window.resize(1200, 800);
        window.show();
        if (!QTest::qWaitForWindowExposed(&window))
            return QImage();
        QCoreApplication::processEvents();
        if (switchAtRunTime) {
            window.setTheme(theme::Theme::Light);
            QCoreApplication::processEvents();
        }
        QImage image = grabOf(window);
        if (auto *clock = window.findChild<QLabel *>(QStringLiteral("wallClockLabel"))) {
            QPainter painter(&image);
            painter.fillRect(QRect(clock->mapTo(&window, QPoint(0, 0)), clock->size()),
                             Qt::magenta);
        }
        return image;
    };

    const QImage lightStart = grabWindow(false);
    const QImage switched = grabWindow(true);

    QVERIFY(!lightStart.isNull());
    QCOMPARE(switched.size(), lightStart.size());
    int differing = 0;
    QPoint first(-1, -1);
    for (int y = 0; y < lightStart.height(); ++y) {
        for (int x = 0; x < lightStart.width(); ++x) {
            if (lightStart.pixel(x, y) == switched.pixel(x, y))
                continue;
            if (differing++ == 0)
                first = QPoint(x, y);
        }
    }
    QVERIFY2(differing == 0, qPrintable(QStringLiteral("%1 pixels differ, the first at %2, %3")
                                            .arg(differing)
                                            .arg(first.x())
                                            .arg(first.y())));
}

QTEST_MAIN(ThemeTest)
#include "tst_theme.moc"
