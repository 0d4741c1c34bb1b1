// Trades, fills, bars, auctions and instruments.

#include "read_models_projection.h"

#include "read_models_support.h"

#include "event_text.h"

#include <algorithm>
#include <array>

namespace bourse::storage::views {

namespace {

// The time frames of the bars table, in seconds.
constexpr std::array<std::int64_t, 4> kFrameSeconds = {1, 60, 300, 3600};
constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;

std::uint64_t barKey(InstrumentId instrument, std::size_t frame)
{
    return std::uint64_t{instrument.value()} << 8 | frame;
}

// The start of the bar that contains `time`, rounding towards negative infinity.
std::int64_t barStart(std::int64_t time, std::int64_t frame)
{
    const std::int64_t start = time / frame * frame;
    return time % frame < 0 ? start - frame : start;
}

} // namespace

std::optional<Problem> Projection::loadUncrossing()
{
    // An auction is uncrossing when its AuctionUncrossed came after the instrument's last
    // status change, because the change to Trading that follows its trades ends it.
    int resultCode = SQLITE_OK;
    const StatementHandle select = prepareStatement(
        m_database,
        "SELECT a.instrument FROM auctions a LEFT JOIN instruments i ON i.instrument = "
        "a.instrument GROUP BY a.instrument HAVING MAX(a.sequence) > "
        "COALESCE(MAX(i.status_sequence), 0)",
        resultCode);
    if (!select) {
        return sqliteProblem(m_database, resultCode, "failed to read the auctions");
    }
    while ((resultCode = sqlite3_step(select.get())) == SQLITE_ROW) {
        m_uncrossing[static_cast<std::uint32_t>(sqlite3_column_int64(select.get(), 0))] = true;
    }
    if (resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to read the auctions");
    }
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &event, const Trade &trade)
{
    sqlite3_stmt *insert = m_statements->insertTrade.get();
    const bool auction = m_uncrossing[event.instrument.value()];
    sqlite3_bind_int64(insert, 1, asInteger(event.sequence));
    sqlite3_bind_int64(insert, 2, event.time.value());
    sqlite3_bind_int64(insert, 3, event.instrument.value());
    sqlite3_bind_int64(insert, 4, trade.price.value());
    sqlite3_bind_int64(insert, 5, trade.quantity.value());
    bindName(insert, 6, enumeratorName(trade.aggressor));
    bindOptional(insert, 7, trade.maker.value() != 0, asInteger(trade.maker.value()));
    bindOptional(insert, 8, trade.taker.value() != 0, asInteger(trade.taker.value()));
    bindName(insert, 9, auction ? "auction" : "continuous");
    if (const int resultCode = stepOnce(insert); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write the trade");
    }

    for (const bool maker : {true, false}) {
        const OrderId id = maker ? trade.maker : trade.taker;
        if (id.value() == 0) {
            continue;
        }
        OrderRow *row = findOpenOrder(id);
        if (auto problem = insertFill(event, trade, maker, row)) {
            return problem;
        }
        const AccountId account = maker ? trade.makerAccount : trade.takerAccount;
        const Side side = maker ? opposite(trade.aggressor) : trade.aggressor;
        if (auto problem = applyFill(account, event.instrument, side, trade.price, trade.quantity,
                                     event.sequence)) {
            return problem;
        }
        if (row) {
            if (auto problem = fillOrder(*row, trade.quantity, event)) {
                return problem;
            }
        }
    }
    return applyBars(event.instrument, event.time, trade.price, trade.quantity);
}

std::optional<Problem> Projection::insertFill(const Event &event, const Trade &trade, bool maker,
                                              const OrderRow *row)
{
    sqlite3_stmt *insert = m_statements->insertFill.get();
    sqlite3_bind_int64(insert, 1, asInteger(event.sequence));
    bindName(insert, 2, maker ? "maker" : "taker");
    sqlite3_bind_int64(insert, 3, event.time.value());
    sqlite3_bind_int64(insert, 4, event.instrument.value());
    sqlite3_bind_int64(insert, 5, asInteger((maker ? trade.maker : trade.taker).value()));
    bindOptional(insert, 6, row != nullptr, row ? asInteger(row->entrySequence) : 0);
    sqlite3_bind_int64(insert, 7, (maker ? trade.makerAccount : trade.takerAccount).value());
    const Side side = maker ? opposite(trade.aggressor) : trade.aggressor;
    bindName(insert, 8, enumeratorName(side));
    sqlite3_bind_int64(insert, 9, trade.price.value());
    sqlite3_bind_int64(insert, 10, trade.quantity.value());
    if (const int resultCode = stepOnce(insert); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write a fill");
    }
    return std::nullopt;
}

std::optional<Problem> Projection::applyBars(InstrumentId instrument, Timestamp time, Price price,
                                             Quantity quantity)
{
    for (std::size_t frame = 0; frame < kFrameSeconds.size(); ++frame) {
        const std::int64_t start =
            barStart(time.value(), kFrameSeconds[frame] * kNanosecondsPerSecond);
        const auto [found, created] = m_bars.try_emplace(barKey(instrument, frame));
        Bar &bar = found->second;
        if (created || bar.start != start) {
            if (!created && bar.dirty) {
                if (auto problem = writeBar(instrument, frame, bar)) {
                    return problem;
                }
            }
            if (auto problem = loadBar(instrument, frame, start, bar)) {
                return problem;
            }
        }

        const std::int64_t value = price.value();
        if (bar.tradeCount == 0) {
            bar.open = bar.high = bar.low = value;
        }
        bar.high = std::max(bar.high, value);
        bar.low = std::min(bar.low, value);
        bar.close = value;
        if (__builtin_add_overflow(bar.volume, quantity.value(), &bar.volume)) {
            return overflow("the volume of a bar");
        }
        ++bar.tradeCount;
        bar.dirty = true;
    }
    return std::nullopt;
}

// Loads the bar that starts at `start` from the file, or an empty one when it has none. A bar
// the file has already is found when trades arrive out of time order.
std::optional<Problem> Projection::loadBar(InstrumentId instrument, std::size_t frame,
                                           std::int64_t start, Bar &bar)
{
    bar = Bar{};
    bar.start = start;
    sqlite3_stmt *select = m_statements->selectBar.get();
    sqlite3_bind_int64(select, 1, instrument.value());
    sqlite3_bind_int64(select, 2, kFrameSeconds[frame]);
    sqlite3_bind_int64(select, 3, start);
    const int resultCode = sqlite3_step(select);
    if (resultCode == SQLITE_ROW) {
        bar.open = sqlite3_column_int64(select, 0);
        bar.high = sqlite3_column_int64(select, 1);
        bar.low = sqlite3_column_int64(select, 2);
        bar.close = sqlite3_column_int64(select, 3);
        bar.volume = sqlite3_column_int64(select, 4);
        bar.tradeCount = sqlite3_column_int64(select, 5);
    }
    sqlite3_reset(select);
    if (resultCode != SQLITE_ROW && resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to read a bar");
    }
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &event, const InstrumentAdded &added)
{
    const InstrumentDefinition &definition = added.definition;
    const std::string symbol = textOf(definition.symbol);
    const std::string currency = textOf(definition.currency);
    sqlite3_stmt *upsert = m_statements->upsertInstrument.get();
    sqlite3_bind_int64(upsert, 1, event.instrument.value());
    sqlite3_bind_text(upsert, 2, symbol.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(upsert, 3, currency.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(upsert, 4, definition.priceDecimals);
    sqlite3_bind_int64(upsert, 5, definition.quantityDecimals);
    sqlite3_bind_int64(upsert, 6, definition.tickSize.value());
    sqlite3_bind_int64(upsert, 7, definition.lotSize.value());
    sqlite3_bind_int64(upsert, 8, definition.minimumQuantity.value());
    sqlite3_bind_int64(upsert, 9, definition.maximumQuantity.value());
    sqlite3_bind_int64(upsert, 10, definition.multiplier);
    sqlite3_bind_int64(upsert, 11, definition.priceBandBasisPoints);
    bindOptional(upsert, 12, definition.referencePrice.value() != 0,
                 definition.referencePrice.value());
    bindName(upsert, 13, enumeratorName(definition.initialStatus));
    sqlite3_bind_int64(upsert, 14, asInteger(event.sequence));
    sqlite3_bind_int64(upsert, 15, event.time.value());
    if (const int resultCode = stepOnce(upsert); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write the instrument");
    }
    m_uncrossing[event.instrument.value()] = false;
    return std::nullopt;
}

// A status change ends an auction's uncrossing: its trades come between AuctionUncrossed and
// the change to Trading. An instrument that joined without a definition event, as the book of
// a replay does, gets a row with its status only.
std::optional<Problem> Projection::applyPayload(const Event &event,
                                                const TradingStatusChanged &changed)
{
    sqlite3_stmt *upsert = m_statements->upsertStatus.get();
    sqlite3_bind_int64(upsert, 1, event.instrument.value());
    bindName(upsert, 2, enumeratorName(changed.status));
    sqlite3_bind_int64(upsert, 3, event.time.value());
    sqlite3_bind_int64(upsert, 4, asInteger(event.sequence));
    if (const int resultCode = stepOnce(upsert); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write the trading status");
    }
    m_uncrossing[event.instrument.value()] = false;
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &event, const AuctionUncrossed &auction)
{
    sqlite3_stmt *insert = m_statements->insertAuction.get();
    sqlite3_bind_int64(insert, 1, asInteger(event.sequence));
    sqlite3_bind_int64(insert, 2, event.time.value());
    sqlite3_bind_int64(insert, 3, event.instrument.value());
    sqlite3_bind_int64(insert, 4, auction.price.value());
    sqlite3_bind_int64(insert, 5, auction.volume.value());
    if (const int resultCode = stepOnce(insert); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write the auction");
    }
    m_uncrossing[event.instrument.value()] = true;
    return std::nullopt;
}

std::optional<Problem> Projection::writeBar(InstrumentId instrument, std::size_t frame,
                                            const Bar &bar)
{
    sqlite3_stmt *replace = m_statements->replaceBar.get();
    sqlite3_bind_int64(replace, 1, instrument.value());
    sqlite3_bind_int64(replace, 2, kFrameSeconds[frame]);
    sqlite3_bind_int64(replace, 3, bar.start);
    sqlite3_bind_int64(replace, 4, bar.open);
    sqlite3_bind_int64(replace, 5, bar.high);
    sqlite3_bind_int64(replace, 6, bar.low);
    sqlite3_bind_int64(replace, 7, bar.close);
    sqlite3_bind_int64(replace, 8, bar.volume);
    sqlite3_bind_int64(replace, 9, bar.tradeCount);
    if (const int resultCode = stepOnce(replace); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write a bar");
    }
    return std::nullopt;
}

} // namespace bourse::storage::views
