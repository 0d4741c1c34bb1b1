#pragma once

#include <QColor>
#include <QFont>
#include <QString>

#include <optional>

class QApplication;

namespace bourse::ui::theme {

// The colour schemes of the terminal. Every colour function below returns the colour of the
// current theme, so a panel that reads them while it paints follows a theme switch after one
// update().
enum class Theme { Dark, Light };

// The theme the colour functions follow: Dark until apply() or setCurrent() chooses another.
Theme current();

// Makes `theme` current for the colour functions only, without touching the application's
// palette or style sheet (tests of painting code use it without a QApplication of their own).
void setCurrent(Theme theme);

// Makes `theme` current, sets the theme's palette on `app` and schedules a repaint of every
// widget. The first call also installs TerminalStyle, which draws docks, headers, menus and
// bars from the palette, so a later call polishes no widget again. Every widget, in hidden
// windows too, receives QEvent::PaletteChange before it returns (QEvent::StyleChange only when
// the style is installed), so a widget that derives anything from the colours (an icon, a
// cached pixmap) can rebuild it there.
void apply(QApplication &app, Theme theme);

// The same as apply(app, Theme::Dark).
void applyDarkTheme(QApplication &app);

// "dark" or "light": the names the command line and the settings use.
QString themeName(Theme theme);

// Parses "dark" or "light", in any case; nothing for another name.
std::optional<Theme> parseTheme(const QString &name);

// The fixed-pitch font for prices, sizes and times, so digits line up in columns.
QFont monospaceFont();

QColor windowColor();
QColor panelColor(); // background of tables and the chart
QColor gridColor();  // chart grid lines and table separators
QColor textColor();
QColor mutedTextColor(); // labels, axes and empty cells
QColor accentColor();    // checked buttons, the selection and the focus frame

QColor buyColor();  // bids, buy aggressors and rising candles
QColor sellColor(); // asks, sell aggressors and falling candles
QColor bestBidBackground();
QColor bestAskBackground();
QColor errorColor();
QColor warningColor(); // a limit close to its breach, a stale book

} // namespace bourse::ui::theme
