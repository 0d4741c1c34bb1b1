#include "terminal_style.h"

#include <QDockWidget>
#include <QGuiApplication>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QStatusBar>
#include <QStyleFactory>
#include <QStyleOption>
#include <QTableView>
#include <QToolButton>

#include <algorithm>

namespace bourse::ui {

namespace {

// Sizes in device-independent pixels.

// A dock title is its text with 4 px above and below, and the text starts 12 px in.
constexpr int dockTitleMargin = 4;
constexpr int dockTitleTextIndent = 12;
// A header section is its label with 6 px either side, 3 px above, and 3 px and the grid line
// below.
constexpr int headerPaddingX = 6;
constexpr int headerPaddingY = 3;
constexpr int toolBarPadding = 2;
constexpr int toolBarSpacing = 4;
constexpr int toolBarSeparatorInset = 4;
// A tool button's icon and text are inset by 8 px across and 3 px down. The button is 3 px
// larger again in each direction, the size Qt 6.4.2 gives a QToolButton styled with
// "padding: 3px 8px", so toolbars keep the height they had under such a style sheet.
constexpr int toolButtonPaddingX = 8;
constexpr int toolButtonPaddingY = 3;
constexpr int toolButtonSlack = 3;
constexpr qreal toolButtonRadius = 3.0;
constexpr int menuSeparatorMarginX = 6;
constexpr int menuSeparatorMarginY = 3;
// A menu item: a frame of 2 px, a column of 12 px for the check mark, 3 px, then the text. The
// text ends 15 px before the shortcut column, and a submenu's arrow is 8 px from the right.
constexpr int menuItemFrame = 2;
constexpr int menuCheckColumn = 12;
constexpr int menuCheckMarkIndent = 1;
constexpr int menuCheckMarkSize = 7;
constexpr int menuTextMargin = 3;
constexpr int menuRightBorder = 15;
constexpr int menuArrowMargin = 8;
constexpr int statusLabelPadding = 10;
constexpr int dockSeparatorExtent = 2;

QRect topLine(const QRect &rect)
{
    return {rect.left(), rect.top(), rect.width(), 1};
}

QRect bottomLine(const QRect &rect)
{
    return {rect.left(), rect.bottom(), rect.width(), 1};
}

QRect rightLine(const QRect &rect)
{
    return {rect.right(), rect.top(), 1, rect.height()};
}

bool isInStatusBar(const QWidget &widget)
{
    for (const QWidget *parent = widget.parentWidget(); parent; parent = parent->parentWidget()) {
        if (qobject_cast<const QStatusBar *>(parent))
            return true;
        if (parent->isWindow())
            return false;
    }
    return false;
}

// Sets `color` for `role` in every colour group.
void setRoleColor(QPalette &palette, QPalette::ColorRole role, const QColor &color)
{
    for (QPalette::ColorGroup group : {QPalette::Active, QPalette::Inactive, QPalette::Disabled})
        palette.setColor(group, role, color);
}

// Draws a check mark of 7 x 7 pixels from `origin`: columns three pixels tall that step down
// to the third column and then up, without antialiasing so it stays sharp at small sizes.
void drawCheckMark(QPainter &painter, QPoint origin, const QColor &color)
{
    for (int column = 0; column < menuCheckMarkSize; ++column) {
        const int top = column <= 2 ? 3 + column : menuCheckMarkSize - column;
        painter.fillRect(origin.x() + column, origin.y() + top, 1, 3, color);
    }
}

} // namespace

TerminalStyle::TerminalStyle()
    : QProxyStyle(QStyleFactory::create(QStringLiteral("Fusion")))
{
    setObjectName(QStringLiteral("TerminalStyle"));
}

void TerminalStyle::polish(QWidget *widget)
{
    QProxyStyle::polish(widget);

    // A table fills its dock: the dock title and the header already mark its edges. A frame
    // shape chosen by the panel, rather than the default, is kept.
    if (auto *table = qobject_cast<QTableView *>(widget);
        table && table->frameShape() == QFrame::StyledPanel)
        table->setFrameShape(QFrame::NoFrame);

    // Status bar labels sit next to each other without item frames, so the padding separates
    // them.
    if (auto *label = qobject_cast<QLabel *>(widget); label && isInStatusBar(*label))
        label->setContentsMargins(statusLabelPadding, 0, statusLabelPadding, 0);
}

int TerminalStyle::pixelMetric(PixelMetric metric, const QStyleOption *option,
                               const QWidget *widget) const
{
    switch (metric) {
    case PM_DockWidgetTitleMargin:
        return dockTitleMargin;
    case PM_DockWidgetSeparatorExtent:
        return dockSeparatorExtent;
    case PM_ToolBarFrameWidth:
        return toolBarPadding;
    case PM_ToolBarItemMargin:
        return 0;
    case PM_ToolBarItemSpacing:
        return toolBarSpacing;
    case PM_MenuBarPanelWidth:
        return 0;
    case PM_MenuPanelWidth:
        return 1;
    default:
        return QProxyStyle::pixelMetric(metric, option, widget);
    }
}

int TerminalStyle::styleHint(StyleHint hint, const QStyleOption *option, const QWidget *widget,
                             QStyleHintReturn *returnData) const
{
    if (hint == SH_Table_GridLineColor) {
        QPalette palette = QGuiApplication::palette();
        if (option)
            palette = option->palette;
        else if (widget)
            palette = widget->palette();
        return static_cast<int>(palette.color(QPalette::Mid).rgba());
    }
    return QProxyStyle::styleHint(hint, option, widget, returnData);
}

QSize TerminalStyle::sizeFromContents(ContentsType type, const QStyleOption *option,
                                      const QSize &size, const QWidget *widget) const
{
    switch (type) {
    case CT_ToolButton:
        if (const auto *button = qstyleoption_cast<const QStyleOptionToolButton *>(option);
            button && qobject_cast<const QToolButton *>(widget) &&
            !(button->features &
              (QStyleOptionToolButton::MenuButtonPopup | QStyleOptionToolButton::HasMenu)))
            return size + QSize(2 * toolButtonPaddingX + toolButtonSlack,
                                2 * toolButtonPaddingY + toolButtonSlack);
        break;
    case CT_MenuItem:
        if (const auto *item = qstyleoption_cast<const QStyleOptionMenuItem *>(option);
            item && item->menuItemType == QStyleOptionMenuItem::Separator && item->text.isEmpty()) {
            const QSize base = QProxyStyle::sizeFromContents(type, option, size, widget);
            return {base.width(), 2 * menuSeparatorMarginY + 1};
        }
        break;
    case CT_HeaderSection:
        return QProxyStyle::sizeFromContents(type, option, size, widget) +
               QSize(2 * headerPaddingX, 2 * headerPaddingY + 1);
    default:
        break;
    }
    return QProxyStyle::sizeFromContents(type, option, size, widget);
}

QRect TerminalStyle::subElementRect(SubElement element, const QStyleOption *option,
                                    const QWidget *widget) const
{
    switch (element) {
    case SE_DockWidgetTitleBarText: {
        QRect rect = QProxyStyle::subElementRect(element, option, widget);
        const auto *dock = qstyleoption_cast<const QStyleOptionDockWidget *>(option);
        if (dock && !dock->verticalTitleBar)
            rect.setLeft(option->rect.left() + dockTitleTextIndent);
        return rect;
    }
    case SE_HeaderLabel: {
        QRect rect = option->rect.adjusted(headerPaddingX, headerPaddingY, -headerPaddingX,
                                           -headerPaddingY - 1);
        const auto *header = qstyleoption_cast<const QStyleOptionHeader *>(option);
        if (header && header->sortIndicator != QStyleOptionHeader::None) {
            const QRect arrow = QProxyStyle::subElementRect(SE_HeaderArrow, option, widget);
            if (header->orientation == Qt::Horizontal)
                rect.setWidth(rect.width() - arrow.width());
            else
                rect.setHeight(rect.height() - arrow.height());
        }
        return visualRect(option->direction, option->rect, rect);
    }
    default:
        return QProxyStyle::subElementRect(element, option, widget);
    }
}

void TerminalStyle::drawPrimitive(PrimitiveElement element, const QStyleOption *option,
                                  QPainter *painter, const QWidget *widget) const
{
    const QPalette &palette = option->palette;
    switch (element) {
    case PE_PanelStatusBar:
        painter->fillRect(option->rect, palette.window());
        painter->fillRect(topLine(option->rect), palette.mid());
        return;
    case PE_FrameStatusBarItem:
        return;
    case PE_IndicatorDockWidgetResizeHandle:
        painter->fillRect(option->rect,
                          option->state & State_MouseOver ? palette.highlight() : palette.mid());
        return;
    case PE_IndicatorToolBarSeparator: {
        const QRect &rect = option->rect;
        const int inset = toolBarSeparatorInset;
        if (option->state & State_Horizontal)
            painter->fillRect(rect.center().x(), rect.top() + inset, 1, rect.height() - 2 * inset,
                              palette.mid());
        else
            painter->fillRect(rect.left() + inset, rect.center().y(), rect.width() - 2 * inset, 1,
                              palette.mid());
        return;
    }
    case PE_PanelMenu:
        // The popup of a combo box keeps Fusion's panel, which frames it in a darker line.
        if (!qobject_cast<const QMenu *>(widget))
            break;
        painter->fillRect(option->rect, palette.base());
        [[fallthrough]];
    case PE_FrameMenu:
        painter->save();
        painter->setPen(palette.color(QPalette::Mid));
        painter->setBrush(Qt::NoBrush);
        painter->drawRect(option->rect.adjusted(0, 0, -1, -1));
        painter->restore();
        return;
    default:
        break;
    }
    QProxyStyle::drawPrimitive(element, option, painter, widget);
}

void TerminalStyle::drawControl(ControlElement element, const QStyleOption *option,
                                QPainter *painter, const QWidget *widget) const
{
    const QPalette &palette = option->palette;
    switch (element) {
    case CE_DockWidgetTitle:
        if (const auto *dock = qstyleoption_cast<const QStyleOptionDockWidget *>(option);
            dock && !dock->verticalTitleBar) {
            const QRect rect = proxy()->subElementRect(SE_DockWidgetTitleBarText, option, widget);
            const QString title =
                painter->fontMetrics().elidedText(dock->title, Qt::ElideRight, rect.width());
            proxy()->drawItemText(painter, rect,
                                  Qt::AlignLeft | Qt::AlignVCenter | Qt::TextShowMnemonic, palette,
                                  dock->state & State_Enabled, title, QPalette::WindowText);
            return;
        }
        break;
    case CE_Header:
        drawHeader(*option, *painter, widget);
        return;
    case CE_HeaderSection:
        painter->fillRect(option->rect, palette.window());
        painter->fillRect(bottomLine(option->rect), palette.mid());
        return;
    case CE_ToolBar:
        painter->fillRect(option->rect, palette.window());
        painter->fillRect(option->state & State_Horizontal ? bottomLine(option->rect)
                                                           : rightLine(option->rect),
                          palette.mid());
        return;
    case CE_MenuBarEmptyArea:
        painter->fillRect(option->rect, palette.window());
        painter->fillRect(bottomLine(option->rect), palette.mid());
        return;
    case CE_MenuBarItem:
        drawMenuBarItem(*option, *painter);
        return;
    case CE_MenuItem:
        drawMenuItem(*option, *painter, widget);
        return;
    case CE_MenuEmptyArea:
        painter->fillRect(option->rect, palette.base());
        return;
    default:
        break;
    }
    QProxyStyle::drawControl(element, option, painter, widget);
}

void TerminalStyle::drawComplexControl(ComplexControl control, const QStyleOptionComplex *option,
                                       QPainter *painter, const QWidget *widget) const
{
    if (control == CC_ToolButton) {
        drawToolButton(*option, *painter, widget);
        return;
    }
    QProxyStyle::drawComplexControl(control, option, painter, widget);
}

// Draws the section in the window colour with a grid line under it, and the label in the muted
// text colour unless the model gave the header a colour of its own.
void TerminalStyle::drawHeader(const QStyleOption &option, QPainter &painter,
                               const QWidget *widget) const
{
    const auto *header = qstyleoption_cast<const QStyleOptionHeader *>(&option);
    if (!header) {
        QProxyStyle::drawControl(CE_Header, &option, &painter, widget);
        return;
    }

    painter.save();
    painter.setClipRect(header->rect, Qt::IntersectClip);
    proxy()->drawControl(CE_HeaderSection, header, &painter, widget);

    QStyleOptionHeaderV2 label;
    if (const auto *headerV2 = qstyleoption_cast<const QStyleOptionHeaderV2 *>(&option))
        label = *headerV2;
    else
        static_cast<QStyleOptionHeader &>(label) = *header;
    const bool modelColor = widget && header->palette.brush(QPalette::ButtonText) !=
                                          widget->palette().brush(QPalette::ButtonText);
    if (!modelColor)
        setRoleColor(label.palette, QPalette::ButtonText,
                     header->palette.color(QPalette::PlaceholderText));
    label.rect = proxy()->subElementRect(SE_HeaderLabel, header, widget);
    if (label.rect.isValid())
        proxy()->drawControl(CE_HeaderLabel, &label, &painter, widget);

    if (header->sortIndicator != QStyleOptionHeader::None) {
        label.rect = proxy()->subElementRect(SE_HeaderArrow, header, widget);
        proxy()->drawPrimitive(PE_IndicatorHeaderArrow, &label, &painter, widget);
    }
    painter.restore();
}

// Draws a flat button with its contents inset by the padding. A checked button has the accent
// background, or the grid background with muted text while it is disabled: that text keeps a
// contrast of about 4:1 in both themes, where white text on the light grid colour has 1.4:1.
// Hover shows the grid background and a press the accent.
void TerminalStyle::drawToolButton(const QStyleOptionComplex &option, QPainter &painter,
                                   const QWidget *widget) const
{
    // The buttons of dock titles are drawn as tool buttons too, but keep Fusion's look.
    const auto *button = qstyleoption_cast<const QStyleOptionToolButton *>(&option);
    if (!button || !qobject_cast<const QToolButton *>(widget) ||
        button->features &
            (QStyleOptionToolButton::MenuButtonPopup | QStyleOptionToolButton::HasMenu)) {
        QProxyStyle::drawComplexControl(CC_ToolButton, &option, &painter, widget);
        return;
    }

    const QPalette &palette = button->palette;
    const bool enabled = button->state & State_Enabled;
    const bool checked = button->state & State_On;
    const bool pressed = enabled && (button->state & State_Sunken);
    const bool hovered = enabled && (button->state & State_MouseOver);

    // An arrow, such as a tab bar's scroll button, gets a size from its owner and no padding.
    QStyleOptionToolButton label = *button;
    if (button->arrowType == Qt::NoArrow)
        label.rect = button->rect.adjusted(toolButtonPaddingX, toolButtonPaddingY,
                                           -toolButtonPaddingX, -toolButtonPaddingY);
    QBrush background(Qt::NoBrush);
    if (checked && !enabled) {
        background = palette.mid();
        setRoleColor(label.palette, QPalette::ButtonText, palette.color(QPalette::PlaceholderText));
    } else if (checked || pressed) {
        background = palette.highlight();
        setRoleColor(label.palette, QPalette::ButtonText, palette.color(QPalette::HighlightedText));
    } else if (hovered) {
        background = palette.mid();
    }

    if (background.style() != Qt::NoBrush) {
        painter.save();
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(background);
        painter.drawRoundedRect(QRectF(button->rect), toolButtonRadius, toolButtonRadius);
        painter.restore();
    }
    proxy()->drawControl(CE_ToolButtonLabel, &label, &painter, widget);

    if (button->state & State_HasFocus) {
        QStyleOptionFocusRect focus;
        focus.QStyleOption::operator=(*button);
        proxy()->drawPrimitive(PE_FrameFocusRect, &focus, &painter, widget);
    }
}

void TerminalStyle::drawMenuBarItem(const QStyleOption &option, QPainter &painter) const
{
    const auto *item = qstyleoption_cast<const QStyleOptionMenuItem *>(&option);
    if (!item)
        return;

    const bool enabled = item->state & State_Enabled;
    const bool selected = enabled && (item->state & State_Selected);
    if (selected) {
        painter.fillRect(item->rect, item->palette.highlight());
    } else {
        painter.fillRect(item->rect, item->palette.window());
        painter.fillRect(bottomLine(item->rect), item->palette.mid());
    }

    int alignment = Qt::AlignCenter | Qt::TextShowMnemonic | Qt::TextDontClip | Qt::TextSingleLine;
    if (!proxy()->styleHint(SH_UnderlineShortcut, item))
        alignment |= Qt::TextHideMnemonic;
    // Fusion's text position: a pixel down from the top and three up from the bottom.
    proxy()->drawItemText(&painter, item->rect.adjusted(0, 1, 0, -3), alignment, item->palette,
                          enabled, item->text,
                          selected ? QPalette::HighlightedText : QPalette::ButtonText);
}

// Draws an item of a QMenu: a check mark or icon in a column of its own, the text and its
// shortcut, and the arrow of a submenu, over the accent when the item is selected. Popups of
// combo boxes keep Fusion's items.
void TerminalStyle::drawMenuItem(const QStyleOption &option, QPainter &painter,
                                 const QWidget *widget) const
{
    const auto *item = qstyleoption_cast<const QStyleOptionMenuItem *>(&option);
    if (!item || !qobject_cast<const QMenu *>(widget)) {
        QProxyStyle::drawControl(CE_MenuItem, &option, &painter, widget);
        return;
    }

    const QRect &rect = item->rect;
    if (item->menuItemType == QStyleOptionMenuItem::Separator) {
        const QRect line =
            rect.adjusted(menuSeparatorMarginX, menuSeparatorMarginY, -menuSeparatorMarginX, 0);
        painter.fillRect(topLine(line), item->palette.mid());
        return;
    }

    const bool enabled = item->state & State_Enabled;
    const bool selected = enabled && (item->state & State_Selected);
    QColor textColor = item->palette.color(QPalette::ButtonText);
    QIcon::Mode mode = QIcon::Normal;
    if (!enabled) {
        textColor = item->palette.color(QPalette::Disabled, QPalette::Text);
        mode = QIcon::Disabled;
    } else if (selected) {
        painter.fillRect(rect, item->palette.highlight());
        textColor = item->palette.color(QPalette::HighlightedText);
        mode = QIcon::Active;
    }

    const int checkColumn = std::max(item->maxIconWidth, menuCheckColumn);
    const QRect check(rect.left() + menuItemFrame, rect.top(), checkColumn, rect.height());
    if (!item->icon.isNull()) {
        const int extent = proxy()->pixelMetric(PM_SmallIconSize, item, widget);
        const QPixmap pixmap =
            item->icon.pixmap(QSize(extent, extent), painter.device()->devicePixelRatio(), mode,
                              item->checked ? QIcon::On : QIcon::Off);
        proxy()->drawItemPixmap(&painter, visualRect(item->direction, rect, check), Qt::AlignCenter,
                                pixmap);
    } else if (item->checkType != QStyleOptionMenuItem::NotCheckable && item->checked) {
        const QRect mark(check.left() + menuCheckMarkIndent,
                         check.top() + (check.height() - menuCheckMarkSize) / 2, menuCheckMarkSize,
                         menuCheckMarkSize);
        drawCheckMark(painter, visualRect(item->direction, rect, mark).topLeft(), textColor);
    }

    drawMenuItemText(*item, painter, check.right() + 1 + menuTextMargin, textColor, widget);

    if (item->menuItemType == QStyleOptionMenuItem::SubMenu) {
        const int extent = (rect.height() - 2 * menuItemFrame) / 2;
        QStyleOptionMenuItem arrow = *item;
        arrow.rect = visualRect(item->direction, rect,
                                QRect(rect.right() + 1 - menuArrowMargin - extent,
                                      rect.top() + rect.height() / 2 - extent / 2, extent, extent));
        arrow.state = enabled ? State_Enabled : State_None;
        setRoleColor(arrow.palette, QPalette::ButtonText, textColor);
        setRoleColor(arrow.palette, QPalette::WindowText, textColor);
        proxy()->drawPrimitive(item->direction == Qt::RightToLeft ? PE_IndicatorArrowLeft
                                                                  : PE_IndicatorArrowRight,
                               &arrow, &painter, widget);
    }
}

// Draws the text from `left`, and the shortcut after a tab in the column QMenu reserved for
// shortcuts.
void TerminalStyle::drawMenuItemText(const QStyleOptionMenuItem &item, QPainter &painter, int left,
                                     const QColor &color, const QWidget *widget) const
{
    const QRect &rect = item.rect;
    int flags = Qt::AlignLeft | Qt::AlignVCenter | Qt::TextShowMnemonic | Qt::TextDontClip |
                Qt::TextSingleLine;
    if (!proxy()->styleHint(SH_UnderlineShortcut, &item, widget))
        flags |= Qt::TextHideMnemonic;
    const int textRight = rect.right() - menuRightBorder - item.reservedShortcutWidth;
    const QRect text(QPoint(left, rect.top()), QPoint(textRight, rect.bottom()));

    painter.save();
    painter.setPen(color);
    QFont font = item.font;
    if (item.menuItemType == QStyleOptionMenuItem::DefaultItem)
        font.setBold(true);
    painter.setFont(font);

    const qsizetype tab = item.text.indexOf(QLatin1Char('\t'));
    if (tab >= 0) {
        const QRect shortcut(QPoint(textRight, rect.top()), rect.bottomRight());
        painter.drawText(visualRect(item.direction, rect, shortcut), flags, item.text.mid(tab + 1));
    }
    painter.drawText(visualRect(item.direction, rect, text), flags, item.text.left(tab));
    painter.restore();
}

} // namespace bourse::ui
