#include "theme.h"

#include <QApplication>
#include <QFontDatabase>
#include <QPalette>
#include <QStyleFactory>

namespace bourse::ui::theme {

QColor windowColor()
{
    return QColor(0x1b, 0x1f, 0x26);
}
QColor panelColor()
{
    return QColor(0x12, 0x15, 0x1a);
}
QColor gridColor()
{
    return QColor(0x2a, 0x30, 0x3a);
}
QColor textColor()
{
    return QColor(0xd8, 0xdd, 0xe4);
}
QColor mutedTextColor()
{
    return QColor(0x85, 0x8d, 0x99);
}
QColor buyColor()
{
    return QColor(0x26, 0xa6, 0x9a);
}
QColor sellColor()
{
    return QColor(0xef, 0x53, 0x50);
}
QColor bestBidBackground()
{
    return QColor(0x14, 0x3d, 0x39);
}
QColor bestAskBackground()
{
    return QColor(0x4d, 0x1f, 0x22);
}
QColor errorColor()
{
    return QColor(0xff, 0x8a, 0x80);
}

QFont monospaceFont()
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setStyleHint(QFont::Monospace);
    font.setPointSize(QApplication::font().pointSize());
    return font;
}

static QPalette darkPalette()
{
    QPalette palette;
    palette.setColor(QPalette::Window, windowColor());
    palette.setColor(QPalette::WindowText, textColor());
    palette.setColor(QPalette::Base, panelColor());
    palette.setColor(QPalette::AlternateBase, windowColor());
    palette.setColor(QPalette::Text, textColor());
    palette.setColor(QPalette::Button, windowColor());
    palette.setColor(QPalette::ButtonText, textColor());
    palette.setColor(QPalette::ToolTipBase, panelColor());
    palette.setColor(QPalette::ToolTipText, textColor());
    palette.setColor(QPalette::PlaceholderText, mutedTextColor());
    palette.setColor(QPalette::Highlight, QColor(0x2f, 0x5b, 0x8a));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Link, QColor(0x6c, 0xb6, 0xff));
    palette.setColor(QPalette::Mid, gridColor());
    palette.setColor(QPalette::Dark, panelColor());

    palette.setColor(QPalette::Disabled, QPalette::Text, mutedTextColor());
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, mutedTextColor());
    palette.setColor(QPalette::Disabled, QPalette::WindowText, mutedTextColor());
    return palette;
}

static QString styleSheet()
{
    return QStringLiteral("QDockWidget { color: %1; }"
                          "QDockWidget::title { background: %2; padding: 4px 8px; }"
                          "QHeaderView::section { background: %2; color: %3; border: none;"
                          " border-bottom: 1px solid %4; padding: 3px 6px; }"
                          "QTableView { gridline-color: %4; border: none; }"
                          "QToolBar { background: %2; border: none; border-bottom: 1px solid %4;"
                          " spacing: 4px; padding: 2px; }"
                          "QToolButton { padding: 3px 8px; border-radius: 3px; }"
                          "QToolButton:checked { background: #2f5b8a; }"
                          "QToolButton:checked:disabled { background: %4; }"
                          "QStatusBar { background: %2; border-top: 1px solid %4; }"
                          "QStatusBar::item { border: none; }"
                          "QStatusBar QLabel { padding: 0 10px; }"
                          "QMainWindow::separator { background: %4; width: 2px; height: 2px; }")
        .arg(textColor().name(), windowColor().name(), mutedTextColor().name(), gridColor().name());
}

void applyDarkTheme(QApplication &app)
{
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    app.setPalette(darkPalette());
    app.setStyleSheet(styleSheet());
}

} // namespace bourse::ui::theme
