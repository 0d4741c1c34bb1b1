#include "theme.h"

#include "terminal_style.h"

#include <QApplication>
#include <QEvent>
#include <QFontDatabase>
#include <QPalette>
#include <QWidget>

#include <atomic>

namespace bourse::ui::theme {

namespace {

struct ColorScheme {
    QRgb window;
    QRgb panel;
    QRgb grid;
    QRgb text;
    QRgb mutedText;
    QRgb accent;
    QRgb accentText; // text on the accent colour
    QRgb buy;
    QRgb sell;
    QRgb bestBidBackground;
    QRgb bestAskBackground;
    QRgb error;
    QRgb warning;
};

// Dark: blue-grey surfaces with teal and red that keep their hue on a black background.
constexpr ColorScheme darkScheme{
    0x1b1f26, 0x12151a, 0x2a303a, 0xd8dde4, 0x858d99, 0x2f5b8a, 0xffffff,
    0x26a69a, 0xef5350, 0x143d39, 0x4d1f22, 0xff8a80, 0xffb74d,
};

// Light: the same hues, darker, so that text and the buy, sell, error and warning colours keep
// a contrast ratio above 4:1 on white (WCAG 2 relative luminance).
constexpr ColorScheme lightScheme{
    0xeef0f3, 0xffffff, 0xd5dae1, 0x1f2328, 0x5f6875, 0x2f6fbf, 0xffffff,
    0x00796b, 0xc62828, 0xd9f2ee, 0xfbe3e3, 0xb71c1c, 0xb26a00,
};

std::atomic<Theme> currentTheme{Theme::Dark};

const ColorScheme &scheme()
{
    return current() == Theme::Light ? lightScheme : darkScheme;
}

QPalette paletteOf(const ColorScheme &colors)
{
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(colors.window));
    palette.setColor(QPalette::WindowText, QColor(colors.text));
    palette.setColor(QPalette::Base, QColor(colors.panel));
    palette.setColor(QPalette::AlternateBase, QColor(colors.window));
    palette.setColor(QPalette::Text, QColor(colors.text));
    palette.setColor(QPalette::Button, QColor(colors.window));
    palette.setColor(QPalette::ButtonText, QColor(colors.text));
    palette.setColor(QPalette::BrightText, QColor(colors.error));
    palette.setColor(QPalette::ToolTipBase, QColor(colors.panel));
    palette.setColor(QPalette::ToolTipText, QColor(colors.text));
    palette.setColor(QPalette::PlaceholderText, QColor(colors.mutedText));
    palette.setColor(QPalette::Highlight, QColor(colors.accent));
    palette.setColor(QPalette::HighlightedText, QColor(colors.accentText));
    palette.setColor(QPalette::Link, QColor(colors.accent).lighter(140));
    palette.setColor(QPalette::Mid, QColor(colors.grid));
    palette.setColor(QPalette::Dark, QColor(colors.grid).darker(130));
    palette.setColor(QPalette::Light, QColor(colors.panel).lighter(115));
    palette.setColor(QPalette::Midlight, QColor(colors.grid));
    palette.setColor(QPalette::Shadow, QColor(colors.grid).darker(200));

    for (QPalette::ColorRole role : {QPalette::Text, QPalette::ButtonText, QPalette::WindowText})
        palette.setColor(QPalette::Disabled, role, QColor(colors.mutedText));
    return palette;
}

} // namespace

Theme current()
{
    return currentTheme.load(std::memory_order_relaxed);
}

void setCurrent(Theme theme)
{
    currentTheme.store(theme, std::memory_order_relaxed);
}

void apply(QApplication &app, Theme theme)
{
    setCurrent(theme);
    // Installing a style polishes every widget again, so only the first call does it. The
    // style draws from the palette, which makes a later switch a change of palette only.
    if (!qobject_cast<TerminalStyle *>(app.style()))
        app.setStyle(new TerminalStyle);
    app.setPalette(paletteOf(scheme()));
    // Qt 6.4 posts the new palette to each window. Delivering it now gives every widget, in
    // hidden windows too, the theme's colours before apply() returns.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::ApplicationPaletteChange);

    // Panels that paint themselves read the colours at paint time, but a widget whose palette
    // did not change (one with a palette of its own) would keep its old pixels until its next
    // update.
    const QWidgetList widgets = QApplication::allWidgets();
    for (QWidget *widget : widgets)
        widget->update();
}

void applyDarkTheme(QApplication &app)
{
    apply(app, Theme::Dark);
}

QString themeName(Theme theme)
{
    return theme == Theme::Light ? QStringLiteral("light") : QStringLiteral("dark");
}

std::optional<Theme> parseTheme(const QString &name)
{
    for (Theme theme : {Theme::Dark, Theme::Light}) {
        if (name.compare(themeName(theme), Qt::CaseInsensitive) == 0)
            return theme;
    }
    return std::nullopt;
}

QFont monospaceFont()
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setStyleHint(QFont::Monospace);
    font.setPointSize(QApplication::font().pointSize());
    return font;
}

QColor windowColor()
{
    return QColor(scheme().window);
}

QColor panelColor()
{
    return QColor(scheme().panel);
}

QColor gridColor()
{
    return QColor(scheme().grid);
}

QColor textColor()
{
    return QColor(scheme().text);
}

QColor mutedTextColor()
{
    return QColor(scheme().mutedText);
}

QColor accentColor()
{
    return QColor(scheme().accent);
}

QColor buyColor()
{
    return QColor(scheme().buy);
}

QColor sellColor()
{
    return QColor(scheme().sell);
}

QColor bestBidBackground()
{
    return QColor(scheme().bestBidBackground);
}

QColor bestAskBackground()
{
    return QColor(scheme().bestAskBackground);
}

QColor errorColor()
{
    return QColor(scheme().error);
}

QColor warningColor()
{
    return QColor(scheme().warning);
}

} // namespace bourse::ui::theme
