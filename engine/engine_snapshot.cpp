// Snapshots: the whole engine state as bytes, and an engine built back from them.
//
// Layout of format version 3. Integers are little-endian and unaligned: uN is an unsigned and
// iN a signed N-bit integer. Prices, quantities and times are i64, enums u8 with their values
// in events.h.
//
//   header   magic "BOURSNAP" (8 bytes), u16 format version, u64 size of the whole snapshot
//   engine   u64 last sequence number, u64 highest order id, u64 trade count
//            u32 instrument count, then the instruments in the order they were added (the first
//            one is the primary instrument), each:
//              definition: u32 id, symbol (16 bytes), currency (4 bytes), u8 price decimals,
//                u8 quantity decimals, i64 tick, i64 lot, i64 minimum quantity, i64 maximum
//                quantity, i64 multiplier, u32 band in basis points, i64 reference price,
//                u8 initial status
//              u8 status, i64 last trade price
//              bids, then asks: u64 count, then the resting orders, best level first and each
//                queue front to back
//              buy stops, then sell stops: u64 count, then in trigger order each parked order
//                followed by its u64 priority
//              u64 call entry count, then each entry: u64 order id, u64 sequence number
//            u64 count of the other live orders, by ascending id, each: u32 instrument, u8 state
//              (1: entering, between its acceptance and the event that rests, parks or ends it;
//              2: an iceberg between the trade that took its slice and its refill), the order
//            u32 account count, by ascending account, each: u32 account, u8 self-trade
//              prevention
//            u64 client order record count, then the records in the order they were made,
//              each: u32 account, u64 client order id, u64 order id, u64 sequence number,
//              u64 fingerprint, u8 reason (0 for an acceptance)
//   portfolio, from version 2 on (a version 1 snapshot loads with no portfolio accounts):
//            u32 account count, by ascending account, each: u32 account, currency (4 bytes),
//              u8 money decimals, u8 type, i64 maker fee rate, i64 taker fee rate (parts per
//              million), i64 fee per unit, i64 minimum fee, i64 balance, u64 sequence of the
//              latest posted fill, u8 sides posted at that sequence
//            u64 position count, by account then instrument, each: u32 account, u32 instrument,
//              i64 quantity, i64 basis quantity, u64 low and u64 high half of the i128 basis
//              cost, i64 basis money cost, i64 realized P&L, i64 fees paid, u64 fill count
//            The portfolio's instruments are the engine's, so they are not repeated.
//   risk, from version 3 on (an older snapshot loads with no limits and no kill switch):
//            u8 global kill switch
//            u32 account count, by ascending account, each: u32 account, limits, u8 kill switch,
//              i64 trading day, i64 realized P&L less fees since opening, i64 and i64 realized
//              and unrealized P&L when the day began, i64 the day's peak, u64 rate window
//              count, then each i64 time, oldest first
//            u32 override count, by account then instrument, each: u32 account, u32
//              instrument, limits, u32 overridden fields, u64 rate window count, each i64 time
//            u32 alert count, by account, instrument, rule, each: u32 account, u32 instrument,
//              u8 rule, u8 level
//            u64 tracked order count, by ascending id, each: u64 id, i64 valuation price,
//              i64 remaining, u8 flags (1: valued at the stop price, 2: at the protection price)
//            limits: i64 order quantity, i64 order notional, i64 long position, i64 short
//              position, i64 band, i64 open orders, i64 orders per second, i64 daily loss, i64
//              margin buying power
//   trailer  u64 state hash, u64 CRC-64/XZ of every byte before it
//
//   order    u64 id, u32 account, u8 side, u8 type, u8 time in force, u8 self-trade prevention,
//            u8 origin, u8 flags (1: post-only, 2: has details), i64 price, i64 remaining
//            (the shown quantity); with details: u64 client order id, i64 reserve, i64 display
//            quantity, i64 stop price, i64 limit, i64 protection price, i64 expiry
//
// The GTD expiry queue is not stored: loading rebuilds it from the live orders. The queue of
// triggered stops and the other values a command uses while it runs are empty between commands.

#include "engine.h"

#include "engine_state.h"
#include "event_codec_schema.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace bourse {

using namespace engine_detail;

namespace {

constexpr std::array<std::uint8_t, 8> kMagic{'B', 'O', 'U', 'R', 'S', 'N', 'A', 'P'};
constexpr std::size_t kHeaderSize = 8 + 2 + 8;
constexpr std::size_t kTrailerSize = 8 + 8;
constexpr std::size_t kPlainOrderSize = 8 + 4 + 6 + 8 + 8;
constexpr std::size_t kClientOrderSize = 4 + 8 + 8 + 8 + 8 + 1;
constexpr std::size_t kPortfolioAccountSize = 4 + 4 + 1 + 1 + 5 * 8 + 8 + 1;
constexpr std::size_t kPositionSize = 4 + 4 + 8 * 8;
// A definition, status and last trade price, and the five counts of an instrument's sections.
constexpr std::size_t kMinimumInstrumentSize = 79 + 1 + 8 + 5 * 8;

constexpr std::uint8_t kPostOnlyFlag = 1;
constexpr std::uint8_t kDetailsFlag = 2;

enum class OffBookState : std::uint8_t { Entering = 1, Emptied = 2 };

// --- CRC-64/XZ: the ECMA-182 polynomial, reflected, initial value and final xor all ones ---

constexpr std::uint64_t kCrcPolynomial = 0xc96c5795d7870f42ULL;

// Tables for slicing by eight: table k advances a byte through k further zero bytes.
constexpr std::array<std::array<std::uint64_t, 256>, 8> makeCrcTables()
{
    std::array<std::array<std::uint64_t, 256>, 8> tables{};
    for (std::uint64_t byte = 0; byte < 256; ++byte) {
        std::uint64_t crc = byte;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1) != 0 ? (crc >> 1) ^ kCrcPolynomial : crc >> 1;
        tables[0][byte] = crc;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::size_t byte = 0; byte < 256; ++byte) {
            const std::uint64_t previous = tables[k - 1][byte];
            tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xff];
        }
    }
    return tables;
}

constexpr auto kCrcTables = makeCrcTables();

std::uint64_t loadLittleEndian64(const std::uint8_t *bytes)
{
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

std::uint16_t loadLittleEndian16(const std::uint8_t *bytes)
{
    return static_cast<std::uint16_t>(bytes[0] | bytes[1] << 8);
}

std::string hex(std::uint64_t value)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text(16, '0');
    for (std::size_t i = 16; i-- > 0; value >>= 4)
        text[i] = kDigits[value & 0xf];
    return text;
}

// Ends a load: loadSnapshot() catches the error, clears the target and returns the error.
[[noreturn]] void fail(SnapshotErrorKind kind, std::size_t offset, std::string message)
{
    throw SnapshotError{kind, offset, std::move(message)};
}

template <typename Enum>
bool isKnown(std::uint8_t value)
{
    return codec::introducedIn(static_cast<Enum>(value)).has_value();
}

bool isQuantityInRange(Quantity quantity)
{
    return quantity > Quantity{0} && quantity <= kMaximumQuantity;
}

bool isPriceInRange(Price price)
{
    return price > Price{0} && price <= kMaximumPrice;
}

} // namespace

std::uint64_t crc64(std::span<const std::uint8_t> bytes)
{
    std::uint64_t crc = ~std::uint64_t{0};
    const std::uint8_t *next = bytes.data();
    std::size_t left = bytes.size();
    for (; left >= 8; left -= 8, next += 8) {
        const std::uint64_t word = loadLittleEndian64(next) ^ crc;
        crc = kCrcTables[7][word & 0xff] ^ kCrcTables[6][(word >> 8) & 0xff] ^
              kCrcTables[5][(word >> 16) & 0xff] ^ kCrcTables[4][(word >> 24) & 0xff] ^
              kCrcTables[3][(word >> 32) & 0xff] ^ kCrcTables[2][(word >> 40) & 0xff] ^
              kCrcTables[1][(word >> 48) & 0xff] ^ kCrcTables[0][word >> 56];
    }
    for (; left > 0; --left, ++next)
        crc = kCrcTables[0][(crc ^ *next) & 0xff] ^ (crc >> 8);
    return ~crc;
}

std::string_view nameOf(SnapshotErrorKind kind)
{
    switch (kind) {
    case SnapshotErrorKind::Truncated:
        return "truncated";
    case SnapshotErrorKind::TrailingBytes:
        return "trailing bytes";
    case SnapshotErrorKind::BadMagic:
        return "bad magic";
    case SnapshotErrorKind::UnsupportedVersion:
        return "unsupported version";
    case SnapshotErrorKind::ChecksumMismatch:
        return "checksum mismatch";
    case SnapshotErrorKind::FieldOutOfRange:
        return "field out of range";
    case SnapshotErrorKind::DuplicateInstrument:
        return "duplicate instrument";
    case SnapshotErrorKind::DuplicateOrderId:
        return "duplicate order id";
    case SnapshotErrorKind::DuplicateClientOrderId:
        return "duplicate client order id";
    case SnapshotErrorKind::UnknownInstrument:
        return "unknown instrument";
    case SnapshotErrorKind::Inconsistent:
        return "inconsistent state";
    case SnapshotErrorKind::StateHashMismatch:
        return "state hash mismatch";
    case SnapshotErrorKind::TargetNotEmpty:
        return "target engine not empty";
    }
    return "unknown snapshot error";
}

// --- Writing ---

// Appends little-endian integers to a buffer that grows by doubling.
class engine_detail::SnapshotWriter {
public:
    explicit SnapshotWriter(std::size_t expectedSize) { m_bytes.resize(expectedSize); }

    void u8(std::uint8_t value) { *claim(1) = value; }
    void u16(std::uint16_t value) { store(value, 2); }
    void u32(std::uint32_t value) { store(value, 4); }
    void u64(std::uint64_t value) { store(value, 8); }
    void i64(std::int64_t value) { store(static_cast<std::uint64_t>(value), 8); }
    void bytes(const void *data, std::size_t size) { std::memcpy(claim(size), data, size); }

    std::size_t size() const { return m_size; }
    void patchU64(std::size_t offset, std::uint64_t value)
    {
        for (std::size_t i = 0; i < 8; ++i)
            m_bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
    }
    std::span<const std::uint8_t> written() const { return {m_bytes.data(), m_size}; }

    std::vector<std::uint8_t> take()
    {
        m_bytes.resize(m_size);
        return std::move(m_bytes);
    }

private:
    std::uint8_t *claim(std::size_t size)
    {
        if (m_size + size > m_bytes.size())
            m_bytes.resize(std::max(2 * m_bytes.size(), m_size + size));
        std::uint8_t *at = m_bytes.data() + m_size;
        m_size += size;
        return at;
    }
    void store(std::uint64_t value, std::size_t width)
    {
        std::uint8_t *at = claim(width);
        for (std::size_t i = 0; i < width; ++i)
            at[i] = static_cast<std::uint8_t>(value >> (8 * i));
    }

    std::vector<std::uint8_t> m_bytes;
    std::size_t m_size = 0;
};

namespace {

void writeDefinition(SnapshotWriter &writer, const InstrumentDefinition &definition)
{
    writer.u32(definition.id.value());
    writer.bytes(definition.symbol.data(), definition.symbol.size());
    writer.bytes(definition.currency.data(), definition.currency.size());
    writer.u8(definition.priceDecimals);
    writer.u8(definition.quantityDecimals);
    writer.i64(definition.tickSize.value());
    writer.i64(definition.lotSize.value());
    writer.i64(definition.minimumQuantity.value());
    writer.i64(definition.maximumQuantity.value());
    writer.i64(definition.multiplier);
    writer.u32(definition.priceBandBasisPoints);
    writer.i64(definition.referencePrice.value());
    writer.u8(static_cast<std::uint8_t>(definition.initialStatus));
}

void writeOrder(SnapshotWriter &writer, const Order &order, bool postOnly)
{
    writer.u64(order.id.value());
    writer.u32(order.account.value());
    writer.u8(static_cast<std::uint8_t>(order.side));
    writer.u8(static_cast<std::uint8_t>(order.type));
    writer.u8(static_cast<std::uint8_t>(order.timeInForce));
    writer.u8(static_cast<std::uint8_t>(order.selfTradePrevention));
    writer.u8(static_cast<std::uint8_t>(order.origin));
    writer.u8(static_cast<std::uint8_t>((postOnly ? kPostOnlyFlag : 0) |
                                        (order.details ? kDetailsFlag : 0)));
    writer.i64(order.price.value());
    writer.i64(order.remaining.value());
    if (const OrderDetails *details = order.details) {
        writer.u64(details->clientOrderId.value());
        writer.i64(details->reserve.value());
        writer.i64(details->displayQuantity.value());
        writer.i64(details->stopPrice.value());
        writer.i64(details->limit.value());
        writer.i64(details->protectionPrice.value());
        writer.i64(details->expiry.value());
    }
}

} // namespace

std::vector<std::uint8_t> Engine::snapshot() const
{
    // Between commands, no triggered stop waits to enter.
    if (!m_triggered.empty())
        return {};

    const std::size_t expectedSize =
        4096 + m_orders.size() * (kPlainOrderSize + 16) + m_clientOrders.size() * kClientOrderSize;
    SnapshotWriter writer(expectedSize);
    writer.bytes(kMagic.data(), kMagic.size());
    writer.u16(kSnapshotFormatVersion);
    const std::size_t sizeOffset = writer.size();
    writer.u64(0); // patched below
    writer.u64(m_sequence);
    writer.u64(m_highestOrderId);
    writer.u64(m_tradeCount);

    writer.u32(static_cast<std::uint32_t>(m_instrumentStates.size()));
    std::size_t placed = 0;
    for (const auto &state : m_instrumentStates) {
        writeInstrument(writer, *state);
        placed += state->book.orderCount() + state->buyStops.size() + state->sellStops.size();
    }
    placed += writeOffBookOrders(writer, placed);
    // An order that is in none of those places is in the middle of a command.
    if (placed != m_orders.size())
        return {};

    writer.u32(static_cast<std::uint32_t>(m_accounts.size()));
    for (const AccountConfigured &account : m_accounts) {
        writer.u32(account.account.value());
        writer.u8(static_cast<std::uint8_t>(account.selfTradePrevention));
    }
    writeClientOrders(writer);
    writePortfolio(writer);
    writeRisk(writer);

    writer.u64(stateHash());
    writer.patchU64(sizeOffset, writer.size() + 8);
    writer.u64(crc64(writer.written()));
    return writer.take();
}

void Engine::writeInstrument(SnapshotWriter &writer, const InstrumentState &instrument) const
{
    writeDefinition(writer, instrument.definition);
    writer.u8(static_cast<std::uint8_t>(instrument.status));
    writer.i64(instrument.lastTradePrice.value());

    for (Side side : {Side::Buy, Side::Sell}) {
        const std::size_t countOffset = writer.size();
        writer.u64(0); // patched once the side is written
        std::uint64_t count = 0;
        instrument.book.forEachOrder(side, [&](const Order &order) {
            writeOrder(writer, order, isPostOnly(order));
            ++count;
        });
        writer.patchU64(countOffset, count);
    }
    for (const auto *stops : {&instrument.buyStops, &instrument.sellStops}) {
        writer.u64(stops->size());
        for (const ParkedStop &stop : *stops) {
            writeOrder(writer, *stop.order, isPostOnly(*stop.order));
            writer.u64(stop.priority);
        }
    }
    writer.u64(instrument.callEntries.size());
    for (const CallEntry &entry : instrument.callEntries) {
        writer.u64(entry.id.value());
        writer.u64(entry.sequence);
    }
}

// Writes the orders outside the books and the parked stops: the one a restore has entering,
// and icebergs whose slice a restored trade took. Returns how many. The search for them is
// skipped when the `placed` orders in books and parked are all there are.
std::size_t Engine::writeOffBookOrders(SnapshotWriter &writer, std::size_t placed) const
{
    std::vector<const Order *> orders;
    if (placed < m_orders.size()) {
        m_orders.forEach([&](const Order *order) {
            const bool emptied = order->remaining == Quantity{0} && !isStop(order->type);
            if (order == m_entering || emptied)
                orders.push_back(order);
        });
    }
    std::sort(orders.begin(), orders.end(),
              [](const Order *a, const Order *b) { return a->id < b->id; });

    writer.u64(orders.size());
    for (const Order *order : orders) {
        writer.u32(order->instrument.value());
        writer.u8(static_cast<std::uint8_t>(order == m_entering ? OffBookState::Entering
                                                                : OffBookState::Emptied));
        writeOrder(writer, *order, isPostOnly(*order));
    }
    return orders.size();
}

// Records go in the order they were made, which loading keeps, so that a loaded engine writes
// the same bytes again.
void Engine::writeClientOrders(SnapshotWriter &writer) const
{
    writer.u64(m_clientOrders.size());
    m_clientOrders.forEach([&writer](const ClientOrderRecord &record) {
        writer.u32(record.account);
        writer.u64(record.clientOrderId);
        writer.u64(record.orderId);
        writer.u64(record.sequence);
        writer.u64(record.fingerprint);
        writer.u8(record.reason);
    });
}

void Engine::writePortfolio(SnapshotWriter &writer) const
{
    const PortfolioState state = m_portfolio.state();
    writer.u32(static_cast<std::uint32_t>(state.accounts.size()));
    for (const Account &account : state.accounts) {
        const AccountSettings &settings = account.settings;
        writer.u32(settings.id.value());
        writer.bytes(settings.currency.data(), settings.currency.size());
        writer.u8(settings.moneyDecimals);
        writer.u8(static_cast<std::uint8_t>(settings.type));
        writer.i64(settings.fees.maker.partsPerMillion);
        writer.i64(settings.fees.taker.partsPerMillion);
        writer.i64(settings.fees.perUnit.value());
        writer.i64(settings.fees.minimum.value());
        writer.i64(account.balance.value());
        writer.u64(account.lastFillSequence);
        writer.u8(account.lastFillSides);
    }
    writer.u64(state.positions.size());
    for (const PositionRecord &record : state.positions) {
        const Position &position = record.position;
        writer.u32(record.account.value());
        writer.u32(record.instrument.value());
        writer.i64(position.quantity.value());
        writer.i64(position.basisQuantity.value());
        const auto cost = static_cast<detail::UInt128>(position.basisCost);
        writer.u64(static_cast<std::uint64_t>(cost));
        writer.u64(static_cast<std::uint64_t>(cost >> 64));
        writer.i64(position.basisMoneyCost.value());
        writer.i64(position.realizedProfitAndLoss.value());
        writer.i64(position.feesPaid.value());
        writer.u64(position.fillCount);
    }
}

namespace {

void writeLimits(SnapshotWriter &writer, const RiskLimits &limits)
{
    for (const std::int64_t value :
         {limits.maximumOrderQuantity.value(), limits.maximumOrderNotional.value(),
          limits.maximumLongPosition.value(), limits.maximumShortPosition.value(),
          limits.priceBandBasisPoints, limits.maximumOpenOrders, limits.maximumOrdersPerSecond,
          limits.dailyLossLimit.value(), limits.marginBuyingPower.value()})
        writer.i64(value);
}

void writeTimes(SnapshotWriter &writer, const std::vector<Timestamp> &times)
{
    writer.u64(times.size());
    for (const Timestamp time : times)
        writer.i64(time.value());
}

} // namespace

void Engine::writeRisk(SnapshotWriter &writer) const
{
    const RiskState state = m_risk.state();
    writer.u8(static_cast<std::uint8_t>(state.globalKillSwitch));
    writer.u32(static_cast<std::uint32_t>(state.accounts.size()));
    for (const RiskAccountRecord &account : state.accounts) {
        writer.u32(account.account.value());
        writeLimits(writer, account.limits);
        writer.u8(static_cast<std::uint8_t>(account.killSwitch));
        writer.i64(account.day);
        writer.i64(account.realizedNet.value());
        writer.i64(account.dayStartRealized.value());
        writer.i64(account.dayStartUnrealized.value());
        writer.i64(account.peak.value());
        writeTimes(writer, account.rateTimes);
    }
    writer.u32(static_cast<std::uint32_t>(state.overrides.size()));
    for (const RiskOverrideRecord &record : state.overrides) {
        writer.u32(record.account.value());
        writer.u32(record.instrument.value());
        writeLimits(writer, record.limits);
        writer.u32(record.overridden);
        writeTimes(writer, record.rateTimes);
    }
    writer.u32(static_cast<std::uint32_t>(state.alerts.size()));
    for (const RiskAlertRecord &alert : state.alerts) {
        writer.u32(alert.account.value());
        writer.u32(alert.instrument.value());
        writer.u8(static_cast<std::uint8_t>(alert.rule));
        writer.u8(static_cast<std::uint8_t>(alert.level));
    }
    const std::vector<OrderId> tracked = m_risk.workingOrders(AccountId{});
    writer.u64(tracked.size());
    for (const OrderId id : tracked) {
        const TrackedOrder &order = *m_risk.order(id);
        writer.u64(id.value());
        writer.i64(order.valuation.value());
        writer.i64(order.remaining.value());
        writer.u8(static_cast<std::uint8_t>((order.valuedAtStop ? 1 : 0) |
                                            (order.valuedAtProtection ? 2 : 0)));
    }
}

// --- Reading ---

// Reads little-endian integers from the body, failing with the offset and the field's name
// when the body ends first.
class engine_detail::SnapshotReader {
public:
    SnapshotReader(std::span<const std::uint8_t> bytes, std::size_t offset)
        : m_bytes(bytes)
        , m_offset(offset)
    {
    }

    std::size_t offset() const { return m_offset; }
    bool atEnd() const { return m_offset == m_bytes.size(); }

    std::uint8_t u8(std::string_view field) { return static_cast<std::uint8_t>(load(1, field)); }
    std::uint32_t u32(std::string_view field) { return static_cast<std::uint32_t>(load(4, field)); }
    std::uint64_t u64(std::string_view field) { return load(8, field); }
    std::int64_t i64(std::string_view field) { return static_cast<std::int64_t>(load(8, field)); }
    void bytes(void *data, std::size_t size, std::string_view field)
    {
        require(size, field);
        std::memcpy(data, m_bytes.data() + m_offset, size);
        m_offset += size;
    }

    // A count of entries that take at least `entrySize` bytes each. A count that the rest of
    // the body cannot hold fails here, before anything is allocated for it.
    std::size_t count(std::uint64_t value, std::size_t entrySize, std::string_view what,
                      std::size_t at) const
    {
        const std::size_t left = m_bytes.size() - m_offset;
        if (value > left / entrySize)
            fail(SnapshotErrorKind::Truncated, at,
                 std::to_string(value) + " " + std::string(what) + " need at least " +
                     std::to_string(value) + " x " + std::to_string(entrySize) +
                     " bytes, but only " + std::to_string(left) + " bytes are left");
        return static_cast<std::size_t>(value);
    }

private:
    void require(std::size_t size, std::string_view field) const
    {
        if (m_bytes.size() - m_offset < size)
            fail(SnapshotErrorKind::Truncated, m_offset,
                 "the snapshot ends inside " + std::string(field));
    }
    std::uint64_t load(std::size_t width, std::string_view field)
    {
        require(width, field);
        std::uint64_t value = 0;
        for (std::size_t i = width; i-- > 0;)
            value = (value << 8) | m_bytes[m_offset + i];
        m_offset += width;
        return value;
    }

    std::span<const std::uint8_t> m_bytes;
    std::size_t m_offset;
};

namespace {

// Checks the frame: the magic, the version, the size and the checksum. The body is read only
// once they pass, so a damaged snapshot reports damage, not the field it happened to hit.
std::optional<SnapshotError> checkFrame(std::span<const std::uint8_t> bytes)
{
    const std::size_t magicBytes = std::min(bytes.size(), kMagic.size());
    if (!std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(magicBytes),
                    kMagic.begin()))
        return SnapshotError{SnapshotErrorKind::BadMagic, 0,
                             "bad magic: the bytes are not a Bourse engine snapshot"};
    if (bytes.size() < kHeaderSize)
        return SnapshotError{SnapshotErrorKind::Truncated, bytes.size(),
                             "truncated: " + std::to_string(bytes.size()) +
                                 " bytes end inside the " + std::to_string(kHeaderSize) +
                                 "-byte header"};

    const std::uint16_t version = loadLittleEndian16(bytes.data() + 8);
    if (version == 0)
        return SnapshotError{SnapshotErrorKind::UnsupportedVersion, 8,
                             "format version 0 is invalid: versions count from 1"};
    if (version > kSnapshotFormatVersion)
        return SnapshotError{SnapshotErrorKind::UnsupportedVersion, 8,
                             "format version " + std::to_string(version) +
                                 " is newer than version " +
                                 std::to_string(kSnapshotFormatVersion) +
                                 ", the newest this build reads; load it with a newer build"};

    const std::uint64_t size = loadLittleEndian64(bytes.data() + 10);
    if (size < kHeaderSize + kTrailerSize)
        return SnapshotError{SnapshotErrorKind::FieldOutOfRange, 10,
                             "the header states a size of " + std::to_string(size) +
                                 " bytes, less than a header and a trailer"};
    if (bytes.size() < size)
        return SnapshotError{SnapshotErrorKind::Truncated, bytes.size(),
                             "truncated: " + std::to_string(bytes.size()) + " of the " +
                                 std::to_string(size) + " bytes the header states"};
    if (bytes.size() > size)
        return SnapshotError{SnapshotErrorKind::TrailingBytes, static_cast<std::size_t>(size),
                             std::to_string(bytes.size() - size) +
                                 " bytes follow the end of the snapshot at byte " +
                                 std::to_string(size)};

    const std::uint64_t recorded = loadLittleEndian64(bytes.data() + bytes.size() - 8);
    const std::uint64_t computed = crc64(bytes.first(bytes.size() - 8));
    if (recorded != computed)
        return SnapshotError{SnapshotErrorKind::ChecksumMismatch, bytes.size() - 8,
                             "checksum mismatch: recorded " + hex(recorded) +
                                 ", the content gives " + hex(computed) +
                                 ", so the snapshot is damaged"};
    return std::nullopt;
}

// `owner` names what the field belongs to, such as "order 17", for the error message. It is a
// function, so that a load that succeeds builds no message text.
template <typename Enum, typename Owner>
Enum readEnum(SnapshotReader &reader, std::string_view field, const Owner &owner)
{
    const std::size_t at = reader.offset();
    const std::uint8_t value = reader.u8(field);
    if (!isKnown<Enum>(value))
        fail(SnapshotErrorKind::FieldOutOfRange, at,
             owner() + ": " + std::string(field) + " " + std::to_string(value) +
                 " is out of range");
    return static_cast<Enum>(value);
}

InstrumentDefinition readDefinition(SnapshotReader &reader)
{
    InstrumentDefinition definition;
    definition.id = InstrumentId{reader.u32("instrument id")};
    const auto owner = [id = definition.id] { return "instrument " + std::to_string(id.value()); };
    reader.bytes(definition.symbol.data(), definition.symbol.size(), "symbol");
    reader.bytes(definition.currency.data(), definition.currency.size(), "currency");
    definition.priceDecimals = reader.u8("price decimals");
    definition.quantityDecimals = reader.u8("quantity decimals");
    definition.tickSize = Price{reader.i64("tick size")};
    definition.lotSize = Quantity{reader.i64("lot size")};
    definition.minimumQuantity = Quantity{reader.i64("minimum quantity")};
    definition.maximumQuantity = Quantity{reader.i64("maximum quantity")};
    definition.multiplier = reader.i64("multiplier");
    definition.priceBandBasisPoints = reader.u32("price band");
    definition.referencePrice = Price{reader.i64("reference price")};
    definition.initialStatus = readEnum<TradingStatus>(reader, "initial status", owner);
    return definition;
}

// Fails unless 0 <= value <= maximum.
template <typename Owner>
void checkRange(std::int64_t value, std::int64_t maximum, std::string_view field,
                const Owner &owner, std::size_t at)
{
    if (value < 0 || value > maximum)
        fail(SnapshotErrorKind::FieldOutOfRange, at,
             owner() + ": " + std::string(field) + " " + std::to_string(value) +
                 " is out of range (0 to " + std::to_string(maximum) + ")");
}

std::string orderName(OrderId id)
{
    return "order " + std::to_string(id.value());
}

} // namespace

std::optional<SnapshotError> Engine::loadSnapshot(std::span<const std::uint8_t> snapshot,
                                                  Engine &target)
{
    const bool empty = target.m_instrumentStates.empty() && target.m_openAccounts == 0 &&
                       target.m_orders.size() == 0 && target.m_accounts.empty() &&
                       target.m_clientOrders.size() == 0 && target.m_postOnlyOrders.empty() &&
                       target.m_sequence == 0 && target.m_highestOrderId == 0 &&
                       target.m_tradeCount == 0;
    if (!empty)
        return SnapshotError{SnapshotErrorKind::TargetNotEmpty, 0,
                             "the target engine holds state; load a snapshot into a fresh "
                             "Engine()"};
    if (auto error = checkFrame(snapshot))
        return error;

    const std::span<const std::uint8_t> body = snapshot.first(snapshot.size() - kTrailerSize);
    SnapshotReader reader(body, kHeaderSize);
    try {
        target.loadState(reader, loadLittleEndian16(snapshot.data() + kMagic.size()));
        const std::uint64_t recorded = loadLittleEndian64(snapshot.data() + body.size());
        const std::uint64_t rebuilt = target.stateHash();
        if (recorded != rebuilt)
            fail(SnapshotErrorKind::StateHashMismatch, body.size(),
                 "state hash mismatch: the snapshot records " + hex(recorded) +
                     ", the loaded state gives " + hex(rebuilt));
    } catch (const SnapshotError &error) {
        target.clearState();
        return error;
    }
    return std::nullopt;
}

void Engine::loadState(SnapshotReader &reader, std::uint16_t version)
{
    m_sequence = reader.u64("last sequence number");
    m_highestOrderId = reader.u64("highest order id");
    m_tradeCount = reader.u64("trade count");

    const std::size_t instrumentsAt = reader.offset();
    const std::size_t instruments = reader.count(
        reader.u32("instrument count"), kMinimumInstrumentSize, "instruments", instrumentsAt);
    for (std::size_t i = 0; i < instruments; ++i)
        loadInstrument(reader);
    loadOffBookOrders(reader);
    loadAccounts(reader);
    loadClientOrders(reader);
    if (version >= 2)
        loadPortfolio(reader);
    loadRisk(reader, version);
    if (!reader.atEnd())
        fail(SnapshotErrorKind::Inconsistent, reader.offset(),
             "the sections end at byte " + std::to_string(reader.offset()) +
                 ", before the trailer");

    std::uint64_t highestLive = 0;
    m_orders.forEach([&](const Order *order) {
        highestLive = std::max(highestLive, order->id.value());
        if (order->timeInForce == TimeInForce::Gtd)
            m_expiries.push_back(ExpiryEntry{order->expiry(), order->id});
    });
    std::make_heap(m_expiries.begin(), m_expiries.end(), std::greater<>{});
    if (highestLive > m_highestOrderId)
        fail(SnapshotErrorKind::Inconsistent, kHeaderSize + 8,
             "the highest order id " + std::to_string(m_highestOrderId) +
                 " is below the live order id " + std::to_string(highestLive));
}

void Engine::loadInstrument(SnapshotReader &reader)
{
    const std::size_t start = reader.offset();
    const InstrumentDefinition definition = readDefinition(reader);
    const auto owner = [id = definition.id] { return "instrument " + std::to_string(id.value()); };
    if (!isValidDefinition(definition))
        fail(SnapshotErrorKind::FieldOutOfRange, start,
             owner() + ": the definition is invalid (tick, lot, sizes, reference or status)");
    if (findInstrument(definition.id))
        fail(SnapshotErrorKind::DuplicateInstrument, start, owner() + " is defined twice");
    InstrumentState &instrument = addInstrumentState(definition);
    instrument.status = readEnum<TradingStatus>(reader, "status", owner);
    const std::size_t lastTradeAt = reader.offset();
    instrument.lastTradePrice = Price{reader.i64("last trade price")};
    checkRange(instrument.lastTradePrice.value(), kMaximumPrice.value(), "last trade price", owner,
               lastTradeAt);

    for (Side side : {Side::Buy, Side::Sell}) {
        const std::size_t at = reader.offset();
        const std::size_t count =
            reader.count(reader.u64("resting order count"), kPlainOrderSize, "orders", at);
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t orderAt = reader.offset();
            Order *order = loadOrder(reader, definition.id);
            if (order->side != side || isStop(order->type) || !isPriceInRange(order->price) ||
                !isQuantityInRange(order->remaining))
                fail(SnapshotErrorKind::Inconsistent, orderAt,
                     orderName(order->id) + " cannot rest among the " +
                         (side == Side::Buy ? "bids" : "asks") + " of " + owner() +
                         ": wrong side or type, or a price or quantity out of range");
            instrument.book.add(order);
        }
    }
    for (Side side : {Side::Buy, Side::Sell}) {
        const std::size_t at = reader.offset();
        const std::size_t count =
            reader.count(reader.u64("parked order count"), kPlainOrderSize + 8, "stops", at);
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t orderAt = reader.offset();
            Order *order = loadOrder(reader, definition.id);
            const SequenceNumber priority = reader.u64("stop priority");
            if (order->side != side || !isStop(order->type) ||
                !isPriceInRange(order->stopPrice()) || !isQuantityInRange(order->remaining) ||
                priority > m_sequence)
                fail(SnapshotErrorKind::Inconsistent, orderAt,
                     orderName(order->id) + " cannot be a parked " + std::string(nameOf(side)) +
                         " stop of " + owner() +
                         ": wrong side or type, a stop price, quantity or priority out of range");
            insertParked(instrument, order, priority);
        }
    }

    const std::size_t entriesAt = reader.offset();
    const std::size_t entries =
        reader.count(reader.u64("call entry count"), 16, "call entries", entriesAt);
    instrument.callEntries.reserve(entries);
    for (std::size_t i = 0; i < entries; ++i) {
        const std::size_t at = reader.offset();
        const OrderId id{reader.u64("call entry order id")};
        const SequenceNumber sequence = reader.u64("call entry sequence number");
        if (sequence > m_sequence)
            fail(SnapshotErrorKind::Inconsistent, at,
                 owner() + ": a call entry's sequence number " + std::to_string(sequence) +
                     " is past the last one, " + std::to_string(m_sequence));
        instrument.callEntries.push_back(CallEntry{id, sequence});
    }
}

// Creates a live order from its record, with every attribute but its place: the caller rests,
// parks or keeps it aside.
Order *Engine::loadOrder(SnapshotReader &reader, InstrumentId instrument)
{
    const std::size_t start = reader.offset();
    const OrderId id{reader.u64("order id")};
    const auto owner = [id] { return orderName(id); };
    const AccountId account{reader.u32("order account")};
    const Side side = readEnum<Side>(reader, "side", owner);
    const OrderType type = readEnum<OrderType>(reader, "type", owner);
    const TimeInForce timeInForce = readEnum<TimeInForce>(reader, "time in force", owner);
    const auto mode = readEnum<SelfTradePrevention>(reader, "self-trade prevention", owner);
    const OrderOrigin origin = readEnum<OrderOrigin>(reader, "origin", owner);
    const std::size_t flagsAt = reader.offset();
    const std::uint8_t flags = reader.u8("order flags");
    const bool postOnly = (flags & kPostOnlyFlag) != 0;
    if ((flags & ~(kPostOnlyFlag | kDetailsFlag)) != 0 || (postOnly && id.value() == 0))
        fail(SnapshotErrorKind::FieldOutOfRange, flagsAt,
             owner() + ": flags " + std::to_string(flags) + " are out of range");

    const std::size_t valuesAt = reader.offset();
    const Price price{reader.i64("order price")};
    const Quantity remaining{reader.i64("order quantity")};
    checkRange(price.value(), kMaximumPrice.value(), "price", owner, valuesAt);
    checkRange(remaining.value(), kMaximumQuantity.value(), "remaining quantity", owner,
               valuesAt + 8);
    OrderDetails details;
    if ((flags & kDetailsFlag) != 0) {
        const std::size_t detailsAt = reader.offset();
        details.clientOrderId = ClientOrderId{reader.u64("client order id")};
        details.reserve = Quantity{reader.i64("reserve")};
        details.displayQuantity = Quantity{reader.i64("display quantity")};
        details.stopPrice = Price{reader.i64("stop price")};
        details.limit = Price{reader.i64("stop limit price")};
        details.protectionPrice = Price{reader.i64("protection price")};
        details.expiry = Timestamp{reader.i64("expiry")};
        checkRange(details.reserve.value(), kMaximumQuantity.value(), "reserve", owner,
                   detailsAt + 8);
        checkRange(details.displayQuantity.value(), kMaximumQuantity.value(), "display quantity",
                   owner, detailsAt + 16);
        checkRange(details.stopPrice.value(), kMaximumPrice.value(), "stop price", owner,
                   detailsAt + 24);
        checkRange(details.limit.value(), kMaximumPrice.value(), "stop limit price", owner,
                   detailsAt + 32);
        checkRange(details.protectionPrice.value(), kMaximumPrice.value(), "protection price",
                   owner, detailsAt + 40);
    }

    Order *order = m_orders.create(id);
    if (!order)
        fail(SnapshotErrorKind::DuplicateOrderId, start, owner() + " appears twice");
    order->side = side;
    order->type = type;
    order->price = price;
    order->remaining = remaining;
    order->account = account;
    order->instrument = instrument;
    order->timeInForce = timeInForce;
    order->selfTradePrevention = mode;
    order->origin = origin;
    if ((flags & kDetailsFlag) != 0)
        m_orders.details(order) = details;
    if (postOnly)
        m_postOnlyOrders.insert(0, id.value());
    return order;
}

void Engine::loadOffBookOrders(SnapshotReader &reader)
{
    const std::size_t at = reader.offset();
    const std::size_t count =
        reader.count(reader.u64("other order count"), 5 + kPlainOrderSize, "orders", at);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t start = reader.offset();
        const InstrumentId instrument{reader.u32("order instrument")};
        const std::uint8_t state = reader.u8("order state");
        if (!findInstrument(instrument) || instrument.value() == 0)
            fail(SnapshotErrorKind::UnknownInstrument, start,
                 "an order names instrument " + std::to_string(instrument.value()) +
                     ", which the snapshot does not define");
        Order *order = loadOrder(reader, instrument);

        if (state == static_cast<std::uint8_t>(OffBookState::Entering)) {
            if (m_entering || !isQuantityInRange(order->remaining))
                fail(SnapshotErrorKind::Inconsistent, start,
                     orderName(order->id) + " cannot be entering: another order is, or its "
                                            "quantity is out of range");
            m_entering = order;
        } else if (state == static_cast<std::uint8_t>(OffBookState::Emptied)) {
            if (order->remaining != Quantity{0} || order->reserve() <= Quantity{0} ||
                isStop(order->type))
                fail(SnapshotErrorKind::Inconsistent, start,
                     orderName(order->id) +
                         " cannot wait for a refill: it shows quantity, has no reserve or is "
                         "a stop order");
        } else {
            fail(SnapshotErrorKind::FieldOutOfRange, start + 4,
                 orderName(order->id) + ": state " + std::to_string(state) +
                     " is out of range (1 entering, 2 waiting for a refill)");
        }
    }
}

void Engine::loadAccounts(SnapshotReader &reader)
{
    const std::size_t at = reader.offset();
    const std::size_t count = reader.count(reader.u32("account count"), 5, "accounts", at);
    m_accounts.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t start = reader.offset();
        AccountConfigured account;
        account.account = AccountId{reader.u32("account")};
        const auto owner = [id = account.account] {
            return "account " + std::to_string(id.value());
        };
        account.selfTradePrevention =
            readEnum<SelfTradePrevention>(reader, "self-trade prevention", owner);
        if (!m_accounts.empty() && m_accounts.back().account >= account.account)
            fail(SnapshotErrorKind::Inconsistent, start,
                 owner() + " does not follow account " +
                     std::to_string(m_accounts.back().account.value()) + " in ascending order");
        m_accounts.push_back(account);
    }
}

void Engine::loadClientOrders(SnapshotReader &reader)
{
    const std::size_t at = reader.offset();
    const std::size_t count =
        reader.count(reader.u64("client order record count"), kClientOrderSize, "records", at);
    m_clientOrders.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t start = reader.offset();
        ClientOrderRecord record;
        record.account = reader.u32("record account");
        record.clientOrderId = reader.u64("record client order id");
        record.orderId = reader.u64("record order id");
        record.sequence = reader.u64("record sequence number");
        record.fingerprint = reader.u64("record fingerprint");
        record.reason = reader.u8("record reason");
        const auto owner = [&record] {
            return "client order id " + std::to_string(record.clientOrderId) + " of account " +
                   std::to_string(record.account);
        };

        const bool knownReason =
            record.isAccepted() ||
            (isKnown<RejectReason>(record.reason) &&
             record.reason != static_cast<std::uint8_t>(RejectReason::DuplicateClientOrderId));
        if (record.clientOrderId == 0 || !knownReason ||
            (!record.isAccepted() && record.fingerprint != 0))
            fail(SnapshotErrorKind::FieldOutOfRange, start,
                 owner() + ": a zero client order id, reason " + std::to_string(record.reason) +
                     " or a fingerprint on a rejection is out of range");
        if (record.sequence == 0 || record.sequence > m_sequence)
            fail(SnapshotErrorKind::Inconsistent, start,
                 owner() + ": sequence number " + std::to_string(record.sequence) +
                     " is not that of an event up to " + std::to_string(m_sequence));
        if (!m_clientOrders.insert(record))
            fail(SnapshotErrorKind::DuplicateClientOrderId, start, owner() + " appears twice");
    }
}

void Engine::loadPortfolio(SnapshotReader &reader)
{
    const std::size_t start = reader.offset();
    PortfolioState state = m_portfolio.state(); // the instruments loaded above
    const std::size_t accounts = reader.count(reader.u32("portfolio account count"),
                                              kPortfolioAccountSize, "portfolio accounts", start);
    state.accounts.reserve(accounts);
    for (std::size_t i = 0; i < accounts; ++i) {
        Account account;
        AccountSettings &settings = account.settings;
        settings.id = AccountId{reader.u32("portfolio account")};
        const auto owner = [id = settings.id] {
            return "portfolio account " + std::to_string(id.value());
        };
        reader.bytes(settings.currency.data(), settings.currency.size(), "account currency");
        settings.moneyDecimals = reader.u8("money decimals");
        settings.type = readEnum<AccountType>(reader, "account type", owner);
        settings.fees.maker = FeeRate{reader.i64("maker fee rate")};
        settings.fees.taker = FeeRate{reader.i64("taker fee rate")};
        settings.fees.perUnit = Money{reader.i64("fee per unit")};
        settings.fees.minimum = Money{reader.i64("minimum fee")};
        account.balance = Money{reader.i64("account balance")};
        account.lastFillSequence = reader.u64("latest fill sequence");
        account.lastFillSides = reader.u8("latest fill sides");
        state.accounts.push_back(account);
    }

    const std::size_t positionsAt = reader.offset();
    const std::size_t positions =
        reader.count(reader.u64("position count"), kPositionSize, "positions", positionsAt);
    state.positions.reserve(positions);
    for (std::size_t i = 0; i < positions; ++i) {
        PositionRecord record;
        Position &position = record.position;
        record.account = AccountId{reader.u32("position account")};
        record.instrument = InstrumentId{reader.u32("position instrument")};
        position.quantity = Quantity{reader.i64("position quantity")};
        position.basisQuantity = Quantity{reader.i64("basis quantity")};
        const detail::UInt128 low = reader.u64("basis cost");
        const detail::UInt128 high = reader.u64("basis cost");
        position.basisCost = static_cast<ExactCost>(high << 64 | low);
        position.basisMoneyCost = Money{reader.i64("basis money cost")};
        position.realizedProfitAndLoss = Money{reader.i64("realized P&L")};
        position.feesPaid = Money{reader.i64("fees paid")};
        position.fillCount = reader.u64("fill count");
        state.positions.push_back(record);
    }

    const PortfolioResult result = m_portfolio.load(state);
    if (result != PortfolioResult::Ok)
        fail(SnapshotErrorKind::Inconsistent, start,
             "the portfolio section does not load: " + std::string(nameOf(result)));
    m_openAccounts = state.accounts.size();
}

namespace {

RiskLimits readLimits(SnapshotReader &reader)
{
    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{reader.i64("maximum order quantity")};
    limits.maximumOrderNotional = Money{reader.i64("maximum order notional")};
    limits.maximumLongPosition = Quantity{reader.i64("maximum long position")};
    limits.maximumShortPosition = Quantity{reader.i64("maximum short position")};
    limits.priceBandBasisPoints = reader.i64("price band");
    limits.maximumOpenOrders = reader.i64("maximum open orders");
    limits.maximumOrdersPerSecond = reader.i64("maximum orders per second");
    limits.dailyLossLimit = Money{reader.i64("daily loss limit")};
    limits.marginBuyingPower = Money{reader.i64("margin buying power")};
    return limits;
}

std::vector<Timestamp> readTimes(SnapshotReader &reader)
{
    const std::size_t at = reader.offset();
    const std::size_t count = reader.count(reader.u64("rate window count"), 8, "rate times", at);
    std::vector<Timestamp> times;
    times.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        times.push_back(Timestamp{reader.i64("rate window time")});
    return times;
}

} // namespace

// Reads the risk section, or for a snapshot from before it gives every open account no limits,
// then rebuilds the risk state from it, the instruments, the portfolio and the live orders.
void Engine::loadRisk(SnapshotReader &reader, std::uint16_t version)
{
    const std::size_t start = reader.offset();
    const auto owner = [] { return std::string("risk"); };
    RiskState state;
    std::vector<TrackedOrder> tracked;
    if (version >= 3) {
        state.globalKillSwitch = readEnum<KillSwitchScope>(reader, "global kill switch", owner);
        const std::size_t accounts =
            reader.count(reader.u32("risk account count"), 4 + 9 * 8 + 1 + 5 * 8 + 8,
                         "risk accounts", reader.offset());
        for (std::size_t i = 0; i < accounts; ++i) {
            RiskAccountRecord record;
            record.account = AccountId{reader.u32("risk account")};
            record.limits = readLimits(reader);
            record.killSwitch = readEnum<KillSwitchScope>(reader, "kill switch", owner);
            record.day = reader.i64("trading day");
            record.realizedNet = Money{reader.i64("realized P&L less fees")};
            record.dayStartRealized = Money{reader.i64("realized P&L at the day's start")};
            record.dayStartUnrealized = Money{reader.i64("unrealized P&L at the day's start")};
            record.peak = Money{reader.i64("day's peak P&L")};
            record.rateTimes = readTimes(reader);
            state.accounts.push_back(std::move(record));
        }
        const std::size_t overrides =
            reader.count(reader.u32("risk override count"), 4 + 4 + 9 * 8 + 4 + 8, "risk overrides",
                         reader.offset());
        for (std::size_t i = 0; i < overrides; ++i) {
            RiskOverrideRecord record;
            record.account = AccountId{reader.u32("override account")};
            record.instrument = InstrumentId{reader.u32("override instrument")};
            record.limits = readLimits(reader);
            const std::uint32_t overridden = reader.u32("overridden fields");
            if (overridden > kOverridableRiskLimitFields)
                fail(SnapshotErrorKind::FieldOutOfRange, reader.offset() - 4,
                     "risk override fields " + std::to_string(overridden) + " are out of range");
            record.overridden = static_cast<std::uint16_t>(overridden);
            record.rateTimes = readTimes(reader);
            state.overrides.push_back(std::move(record));
        }
        const std::size_t alerts =
            reader.count(reader.u32("risk alert count"), 4 + 4 + 2, "risk alerts", reader.offset());
        for (std::size_t i = 0; i < alerts; ++i) {
            RiskAlertRecord record;
            record.account = AccountId{reader.u32("alert account")};
            record.instrument = InstrumentId{reader.u32("alert instrument")};
            record.rule = readEnum<RiskRule>(reader, "alert rule", owner);
            record.level = readEnum<RiskAlertLevel>(reader, "alert level", owner);
            state.alerts.push_back(record);
        }
        const std::size_t orders = reader.count(reader.u64("tracked order count"), 8 + 8 + 8 + 1,
                                                "tracked orders", reader.offset());
        for (std::size_t i = 0; i < orders; ++i) {
            const std::size_t at = reader.offset();
            TrackedOrder order;
            order.id = OrderId{reader.u64("tracked order id")};
            order.valuation = Price{reader.i64("valuation price")};
            order.remaining = Quantity{reader.i64("tracked remaining")};
            const std::uint8_t flags = reader.u8("tracked order flags");
            order.valuedAtStop = (flags & 1) != 0;
            order.valuedAtProtection = (flags & 2) != 0;
            const Order *live = m_orders.find(order.id);
            if (live == nullptr || flags > 3 || order.valuation < Price{0} ||
                order.remaining != totalOf(*live))
                fail(SnapshotErrorKind::Inconsistent, at,
                     "tracked " + orderName(order.id) + " is not live with that remaining size");
            order.account = live->account;
            order.instrument = live->instrument;
            order.side = live->side;
            tracked.push_back(order);
        }
    } else {
        for (const Account &account : m_portfolio.state().accounts)
            state.accounts.push_back(
                {account.settings.id, {}, KillSwitchScope::None, 0, {}, {}, {}, {}, {}});
    }

    std::vector<InstrumentDefinition> definitions;
    for (const auto &instrument : m_instrumentStates) {
        InstrumentDefinition definition = instrument->definition;
        definition.referencePrice = instrument->referencePrice();
        definitions.push_back(definition);
    }
    if (!m_risk.load(state, definitions, tracked))
        fail(SnapshotErrorKind::Inconsistent, start,
             "the risk section does not fit the accounts, instruments and orders");
}

// Returns the engine to the state of a fresh Engine(), keeping its handlers and the memory its
// pools hold.
void Engine::clearState()
{
    m_instrumentStates.clear();
    m_instrumentSlots.clear();
    m_instrument = InstrumentId{};
    m_primary = nullptr;
    m_orders.clear();
    m_clientOrders.clear();
    m_postOnlyOrders.clear();
    m_accounts.clear();
    m_expiries.clear();
    m_highestOrderId = 0;
    m_triggered.clear();
    m_nextTriggered = 0;
    m_tradePrices.clear();
    m_entering = nullptr;
    m_sequence = 0;
    m_tradeCount = 0;
    m_portfolio = Portfolio{};
    m_openAccounts = 0;
    m_unpostedFills = 0;
    m_risk = RiskTracker{m_portfolio};
    m_alerts.clear();
}

} // namespace bourse
