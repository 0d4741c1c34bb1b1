#pragma once

#include <QProxyStyle>

class QStyleOptionMenuItem;

namespace bourse::ui {

// Fusion in the terminal's flat look: dock titles, table headers, the toolbar, tool buttons,
// the menu bar and menus, the status bar and the separators between docks. Every colour comes
// from the palette of the widget being drawn: Window, Base for panels, Mid for the grid,
// PlaceholderText for muted text, Highlight and HighlightedText for the accent. A theme switch
// is therefore a change of the application palette, and no widget is polished again.
class TerminalStyle : public QProxyStyle {
    Q_OBJECT

public:
    TerminalStyle();

    // Removes the frame of tables and pads the labels of status bars. A widget keeps these
    // settings if the application later installs another style.
    void polish(QWidget *widget) override;
    using QProxyStyle::polish;

    int pixelMetric(PixelMetric metric, const QStyleOption *option = nullptr,
                    const QWidget *widget = nullptr) const override;
    int styleHint(StyleHint hint, const QStyleOption *option = nullptr,
                  const QWidget *widget = nullptr,
                  QStyleHintReturn *returnData = nullptr) const override;
    QSize sizeFromContents(ContentsType type, const QStyleOption *option, const QSize &size,
                           const QWidget *widget) const override;
    QRect subElementRect(SubElement element, const QStyleOption *option,
                         const QWidget *widget) const override;

    void drawPrimitive(PrimitiveElement element, const QStyleOption *option, QPainter *painter,
                       const QWidget *widget = nullptr) const override;
    void drawControl(ControlElement element, const QStyleOption *option, QPainter *painter,
                     const QWidget *widget = nullptr) const override;
    void drawComplexControl(ComplexControl control, const QStyleOptionComplex *option,
                            QPainter *painter, const QWidget *widget = nullptr) const override;

private:
    void drawHeader(const QStyleOption &option, QPainter &painter, const QWidget *widget) const;
    void drawToolButton(const QStyleOptionComplex &option, QPainter &painter,
                        const QWidget *widget) const;
    void drawMenuBarItem(const QStyleOption &option, QPainter &painter) const;
    void drawMenuItem(const QStyleOption &option, QPainter &painter, const QWidget *widget) const;
    void drawMenuItemText(const QStyleOptionMenuItem &item, QPainter &painter, int left,
                          const QColor &color, const QWidget *widget) const;
};

} // namespace bourse::ui
