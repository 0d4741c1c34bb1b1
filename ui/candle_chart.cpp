#include "candle_chart.h"

#include "chart_painter.h"
#include "theme.h"

#include <QAbstractButton>
#include <QApplication>
#include <QButtonGroup>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QToolButton>
#include <QWheelEvent>

#include <algorithm>
#include <utility>

namespace bourse::ui {

namespace {

constexpr int margin = 8;
constexpr std::size_t defaultZoomLevel = 4;
static_assert(chartSlotWidths[defaultZoomLevel] == chartSlotWidth);

// The fills that the chart marks: how many there are of the focus and the newest one's trade.
// Fills only arrive and age out, newest first, so these two change whenever the marks do.
std::pair<std::size_t, SequenceNumber> focusFills(const MarketView &view)
{
    std::size_t count = 0;
    SequenceNumber newest = 0;
    for (const OwnFill &fill : view.trader.fills) {
        if (fill.instrument != view.instrument)
            continue;
        if (count == 0)
            newest = fill.tradeSequence;
        ++count;
    }
    return {count, newest};
}

} // namespace

CandleChart::CandleChart(QWidget *parent)
    : QWidget(parent)
    , m_zoomLevel(defaultZoomLevel)
    , m_timeFrameBar(new QWidget(this))
    , m_timeFrameLayout(new QHBoxLayout(m_timeFrameBar))
    , m_timeFrameButtons(new QButtonGroup(this))
{
    setObjectName(QStringLiteral("candleChart"));
    setAccessibleName(tr("Candlestick chart"));
    updateDescription();
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setCursor(Qt::CrossCursor);
    setFont(theme::monospaceFont());

    m_timeFrameBar->setObjectName(QStringLiteral("timeFrameSelector"));
    m_timeFrameBar->setAccessibleName(tr("Time frame"));
    m_timeFrameBar->setCursor(Qt::ArrowCursor);
    m_timeFrameLayout->setContentsMargins(0, 0, 0, 0);
    m_timeFrameLayout->setSpacing(2);
    m_timeFrameButtons->setExclusive(true);
    connect(m_timeFrameButtons, &QButtonGroup::idClicked, this,
            [this](int id) { setTimeFrame(m_offeredTimeFrames.at(static_cast<std::size_t>(id))); });
    m_timeFrameBar->hide();
}

void CandleChart::showView(const std::shared_ptr<const MarketView> &view)
{
    const bool same = view && m_view && drawsSame(*m_view, *view);
    m_view = view;
    updateTimeFrameButtons();
    if (!same) {
        if (m_crosshairStart)
            updateDescription();
        update();
    }
}

void CandleChart::clear()
{
    m_view.reset();
    m_cursor.reset();
    m_crosshairStart.reset();
    updateDescription();
    updateTimeFrameButtons();
    update();
}

bool CandleChart::drawsSame(const MarketView &previous, const MarketView &next) const
{
    const CandleSeries before = chartSeries(previous, m_chosenTimeFrame);
    const CandleSeries after = chartSeries(next, m_chosenTimeFrame);
    return before.intervalNanoseconds == after.intervalNanoseconds &&
           std::ranges::equal(before.bars, after.bars) && before.olderBars == after.olderBars &&
           previous.instrument == next.instrument && previous.symbol == next.symbol &&
           previous.priceDecimals == next.priceDecimals &&
           previous.quantityDecimals == next.quantityDecimals &&
           previous.tickSize == next.tickSize &&
           previous.timeFrames.empty() == next.timeFrames.empty() &&
           noBarsText(previous) == noBarsText(next) && focusFills(previous) == focusFills(next);
}

std::size_t CandleChart::barCount() const
{
    return m_view ? chartSeries(*m_view, m_chosenTimeFrame).bars.size() : 0;
}

std::vector<std::int64_t> CandleChart::timeFrames() const
{
    return m_view ? timeFrameLengths(*m_view) : std::vector<std::int64_t>{};
}

std::int64_t CandleChart::timeFrame() const
{
    return m_view ? chartSeries(*m_view, m_chosenTimeFrame).intervalNanoseconds : 0;
}

void CandleChart::setTimeFrame(std::int64_t intervalNanoseconds)
{
    if (intervalNanoseconds == m_chosenTimeFrame)
        return;

    const std::int64_t shown = timeFrame();
    m_chosenTimeFrame = intervalNanoseconds;
    updateTimeFrameButtons();
    updateDescription();
    update();
    if (timeFrame() != shown)
        emit timeFrameChanged(timeFrame());
}

ChartOptions CandleChart::options() const
{
    ChartOptions options;
    options.slotWidth = slotWidth();
    options.rightSlotStart = m_rightSlotStart;
    if (!m_timeFrameBar->isHidden())
        options.headerControls = m_timeFrameBar->size();
    return options;
}

std::optional<ChartFrame> CandleChart::frame() const
{
    if (!m_view)
        return std::nullopt;
    return ChartFrame(fontMetrics(), *m_view, chartSeries(*m_view, m_chosenTimeFrame), rect(),
                      options());
}

std::span<const Bar> CandleChart::visibleBars() const
{
    const std::optional<ChartFrame> current = frame();
    return current ? current->visibleBars() : std::span<const Bar>{};
}

void CandleChart::setZoomLevel(std::size_t level)
{
    level = std::min(level, chartSlotWidths.size() - 1);
    if (level == m_zoomLevel)
        return;

    // The right edge stays where it is, unless the new width can show bars beyond the limits.
    m_zoomLevel = level;
    if (m_rightSlotStart)
        setRightSlot(m_rightSlotStart);
    update();
}

void CandleChart::zoomIn()
{
    setZoomLevel(m_zoomLevel + 1);
}

void CandleChart::zoomOut()
{
    if (m_zoomLevel > 0)
        setZoomLevel(m_zoomLevel - 1);
}

// Keeps `start` within the limits of the current frame. An empty start, or the newest bar's,
// follows new bars.
void CandleChart::setRightSlot(std::optional<std::int64_t> start)
{
    const std::optional<ChartFrame> current = frame();
    std::optional<std::int64_t> clamped;
    if (start && current && current->canScroll())
        clamped = current->clampRightSlot(*start);
    if (clamped != m_rightSlotStart) {
        m_rightSlotStart = clamped;
        update();
    }
}

void CandleChart::scrollBars(int bars)
{
    const std::optional<ChartFrame> current = frame();
    if (!current || !current->canScroll())
        return;
    setRightSlot(current->lastSlotStart() + bars * current->interval());
}

void CandleChart::followLatest()
{
    setRightSlot(std::nullopt);
}

void CandleChart::updateTimeFrameButtons()
{
    const std::vector<std::int64_t> offered = timeFrames();
    if (offered != m_offeredTimeFrames) {
        for (QAbstractButton *button : m_timeFrameButtons->buttons()) {
            m_timeFrameButtons->removeButton(button);
            delete button;
        }
        m_offeredTimeFrames = offered;
        for (std::size_t i = 0; i < offered.size(); ++i) {
            auto *button = new QToolButton(m_timeFrameBar);
            // The chart paints in a monospace font. The buttons keep the application's font so
            // that they stay narrow enough for the header beside them.
            button->setFont(QApplication::font());
            const QString label = intervalLabel(offered[i]);
            button->setText(label);
            button->setObjectName(QStringLiteral("timeFrame") + label);
            button->setAccessibleName(tr("%1 bars").arg(intervalName(offered[i])));
            button->setToolTip(tr("%1 bars (key %2)").arg(intervalName(offered[i])).arg(i + 1));
            button->setCheckable(true);
            button->setAutoRaise(true);
            m_timeFrameButtons->addButton(button, static_cast<int>(i));
            m_timeFrameLayout->addWidget(button);
        }
        m_timeFrameBar->setVisible(!offered.empty());
        placeTimeFrameButtons();
    }

    const std::int64_t shown = timeFrame();
    for (std::size_t i = 0; i < m_offeredTimeFrames.size(); ++i) {
        QAbstractButton *button = m_timeFrameButtons->button(static_cast<int>(i));
        if (m_offeredTimeFrames[i] == shown && !button->isChecked())
            button->setChecked(true);
    }
}

void CandleChart::placeTimeFrameButtons()
{
    m_timeFrameBar->adjustSize();
    const QSize size = m_timeFrameBar->sizeHint();
    const int headerHeight = std::max(fontMetrics().height() + 2 * margin, size.height() + margin);
    m_timeFrameBar->setGeometry(width() - margin - size.width(), (headerHeight - size.height()) / 2,
                                size.width(), size.height());
}

void CandleChart::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), theme::panelColor());
    if (!m_view) {
        painter.setPen(theme::mutedTextColor());
        painter.drawText(rect(), Qt::AlignCenter, tr("No market data yet"));
        return;
    }

    const ChartFrame current = *frame();
    const ChartOverlays overlays = overlaysFor(*m_view, current.series());
    const std::optional<Price> price =
        m_crosshairStart ? priceUnderCursor() : std::optional<Price>();
    ChartPainter(painter, current, overlays, crosshairPoint(current), price).paint();

    if (hasFocus()) {
        painter.setPen(theme::accentColor());
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(rect().adjusted(0, 0, -1, -1));
    }
}

void CandleChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    placeTimeFrameButtons();
}

void CandleChart::keyPressEvent(QKeyEvent *event)
{
    const std::optional<ChartFrame> current = frame();
    const int screen =
        current ? static_cast<int>(std::max(current->slotCount() - 1, std::int64_t{1})) : 1;
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        return;
    case Qt::Key_Minus:
        zoomOut();
        return;
    case Qt::Key_Left:
        if (shift)
            scrollBars(-1);
        else
            moveCrosshair(-1);
        return;
    case Qt::Key_Right:
        if (shift)
            scrollBars(1);
        else
            moveCrosshair(1);
        return;
    case Qt::Key_PageUp:
        scrollBars(-screen);
        return;
    case Qt::Key_PageDown:
        scrollBars(screen);
        return;
    case Qt::Key_Home:
        if (current && !current->series().bars.empty())
            placeCrosshair(*current, 0);
        return;
    case Qt::Key_End:
        followLatest();
        if (current && !current->series().bars.empty())
            placeCrosshair(*frame(), current->series().bars.size() - 1);
        return;
    case Qt::Key_Escape:
        if (m_crosshairStart || m_cursor) {
            hideCrosshair();
            return;
        }
        break;
    default:
        break;
    }

    const int digit = event->key() - Qt::Key_1;
    if (digit >= 0 && static_cast<std::size_t>(digit) < m_offeredTimeFrames.size() &&
        event->modifiers() == Qt::NoModifier) {
        setTimeFrame(m_offeredTimeFrames[static_cast<std::size_t>(digit)]);
        return;
    }
    QWidget::keyPressEvent(event);
}

// One zoom step per wheel event, whatever its angle, so a touchpad's many small events zoom
// as fast as a wheel's notches. A horizontal wheel scrolls.
void CandleChart::wheelEvent(QWheelEvent *event)
{
    const QPoint angle = event->angleDelta();
    if (std::abs(angle.y()) >= std::abs(angle.x()) && angle.y() != 0) {
        if (angle.y() > 0)
            zoomIn();
        else
            zoomOut();
    } else if (angle.x() != 0) {
        scrollBars(angle.x() > 0 ? -1 : 1);
    }
    event->accept();
}

void CandleChart::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }

    const std::optional<ChartFrame> current = frame();
    if (current && current->canScroll()) {
        m_dragStartX = event->position().toPoint().x();
        m_dragRightSlot = current->lastSlotStart();
        setCursor(Qt::ClosedHandCursor);
    }
    event->accept();
}

void CandleChart::mouseMoveEvent(QMouseEvent *event)
{
    // The mouse takes the crosshair back from the keyboard.
    const QPoint position = event->position().toPoint();
    if (m_cursor != position || m_crosshairStart) {
        m_cursor = position;
        m_crosshairStart.reset();
        updateDescription();
        update();
    }

    if (m_dragStartX && (event->buttons() & Qt::LeftButton)) {
        // Dragging right pulls older bars into view, one slot per slot width moved.
        const int draggedSlots = (position.x() - *m_dragStartX) / slotWidth();
        const std::optional<ChartFrame> current = frame();
        if (current)
            setRightSlot(m_dragRightSlot - draggedSlots * current->interval());
    }
}

void CandleChart::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_dragStartX) {
        m_dragStartX.reset();
        setCursor(Qt::CrossCursor);
    }
    QWidget::mouseReleaseEvent(event);
}

void CandleChart::leaveEvent(QEvent *event)
{
    if (m_cursor) {
        m_cursor.reset();
        update();
    }
    QWidget::leaveEvent(event);
}

} // namespace bourse::ui
