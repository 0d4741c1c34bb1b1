#pragma once

#include <QColor>
#include <QFont>

class QApplication;

namespace bourse::ui::theme {

// Sets the Fusion style with a dark palette and the style sheet of docks, headers and bars.
void applyDarkTheme(QApplication &app);

// The fixed-pitch font for prices, sizes and times, so digits line up in columns.
QFont monospaceFont();

QColor windowColor();
QColor panelColor(); // background of tables and the chart
QColor gridColor();  // chart grid lines and table separators
QColor textColor();
QColor mutedTextColor(); // labels, axes and empty cells

QColor buyColor();  // bids, buy aggressors and rising candles
QColor sellColor(); // asks, sell aggressors and falling candles
QColor bestBidBackground();
QColor bestAskBackground();
QColor errorColor();

} // namespace bourse::ui::theme
