// Positions and their open lots, closed first in, first out.

#include "read_models_projection.h"

#include "read_models_support.h"

#include <algorithm>

namespace bourse::storage::views {

namespace {

std::uint64_t positionKey(AccountId account, InstrumentId instrument)
{
    return std::uint64_t{account.value()} << 32 | instrument.value();
}

} // namespace

std::optional<Problem> Projection::loadPositions()
{
    int resultCode = SQLITE_OK;
    const StatementHandle select = prepareStatement(
        m_database,
        "SELECT account, instrument, quantity, open_cost, realized_pnl, trade_count, "
        "last_sequence FROM positions",
        resultCode);
    if (!select) {
        return sqliteProblem(m_database, resultCode, "failed to read the positions");
    }
    while ((resultCode = sqlite3_step(select.get())) == SQLITE_ROW) {
        std::int64_t values[7] = {};
        for (int column = 0; column < 7; ++column) {
            const std::optional<std::int64_t> value = integerAt(select.get(), column);
            if (!value) {
                return damagedRow("a positions row", "a column is not an integer");
            }
            values[column] = *value;
        }
        Position position;
        position.account = AccountId{static_cast<std::uint32_t>(values[0])};
        position.instrument = InstrumentId{static_cast<std::uint32_t>(values[1])};
        position.quantity = values[2];
        position.openCost = values[3];
        position.realizedPnl = values[4];
        position.tradeCount = values[5];
        position.lastSequence = static_cast<SequenceNumber>(values[6]);
        m_positions.emplace(positionKey(position.account, position.instrument),
                            std::move(position));
    }
    if (resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to read the positions");
    }
    return std::nullopt;
}

std::optional<Problem> Projection::loadLots()
{
    int resultCode = SQLITE_OK;
    const StatementHandle select = prepareStatement(
        m_database,
        "SELECT account, instrument, lot, opened_sequence, price, quantity FROM position_lots "
        "ORDER BY account, instrument, lot",
        resultCode);
    if (!select) {
        return sqliteProblem(m_database, resultCode, "failed to read the position lots");
    }
    while ((resultCode = sqlite3_step(select.get())) == SQLITE_ROW) {
        std::int64_t values[6] = {};
        for (int column = 0; column < 6; ++column) {
            const std::optional<std::int64_t> value = integerAt(select.get(), column);
            if (!value) {
                return damagedRow("a position_lots row", "a column is not an integer");
            }
            values[column] = *value;
        }
        const auto account = AccountId{static_cast<std::uint32_t>(values[0])};
        const auto instrument = InstrumentId{static_cast<std::uint32_t>(values[1])};
        const auto found = m_positions.find(positionKey(account, instrument));
        if (found == m_positions.end()) {
            return damagedRow("position_lots row of account " + std::to_string(values[0]) +
                                  " and instrument " + std::to_string(values[1]),
                              "the lot belongs to no position");
        }
        Position &position = found->second;
        position.lots.push_back(
            Lot{values[2], static_cast<SequenceNumber>(values[3]), values[4], values[5]});
        position.nextLot = values[2] + 1;
        position.lastWrittenLot = values[2];
    }
    if (resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to read the position lots");
    }

    // The lots must add up to their position, or every later fill would be priced wrong.
    for (const auto &[key, position] : m_positions) {
        std::int64_t quantity = 0;
        std::int64_t cost = 0;
        for (const Lot &lot : position.lots) {
            std::int64_t lotCost = 0;
            if (__builtin_mul_overflow(lot.price, lot.quantity, &lotCost) ||
                __builtin_add_overflow(cost, lotCost, &cost) ||
                __builtin_add_overflow(quantity, lot.quantity, &quantity)) {
                quantity = position.quantity + 1; // reported below as a mismatch
                break;
            }
        }
        if (quantity != position.quantity || cost != position.openCost) {
            return damagedRow("positions row of account " +
                                  std::to_string(position.account.value()) + " and instrument " +
                                  std::to_string(position.instrument.value()),
                              "its open lots do not add up to its quantity and open cost");
        }
    }
    return std::nullopt;
}

// A fill in the direction of the position, or from flat, opens a lot. A fill against it closes
// the oldest lots first. Each closed unit realizes (fill price - lot price) for a long position
// and the negative for a short one. What is left after the last lot opens a lot the other way.
std::optional<Problem> Projection::applyFill(AccountId account, InstrumentId instrument, Side side,
                                             Price price, Quantity quantity,
                                             SequenceNumber sequence)
{
    Position &position = m_positions[positionKey(account, instrument)];
    position.account = account;
    position.instrument = instrument;
    const std::int64_t direction = side == Side::Buy ? 1 : -1;
    std::int64_t left = quantity.value();

    while (left > 0 && !position.lots.empty() && (position.quantity > 0) != (direction > 0)) {
        Lot &lot = position.lots.front();
        const std::int64_t lotSize = lot.quantity < 0 ? -lot.quantity : lot.quantity;
        const std::int64_t closed = std::min(left, lotSize);
        const std::int64_t signedClosed = lot.quantity < 0 ? -closed : closed;
        std::int64_t gain = 0;
        std::int64_t closedCost = 0;
        if (__builtin_sub_overflow(price.value(), lot.price, &gain) ||
            __builtin_mul_overflow(gain, signedClosed, &gain) ||
            __builtin_add_overflow(position.realizedPnl, gain, &position.realizedPnl) ||
            __builtin_mul_overflow(lot.price, signedClosed, &closedCost) ||
            __builtin_sub_overflow(position.openCost, closedCost, &position.openCost)) {
            return overflow("the realized P&L or open cost of a position");
        }
        position.quantity -= signedClosed;
        lot.quantity -= signedClosed;
        left -= closed;
        if (lot.quantity == 0) {
            position.lots.pop_front();
        }
    }

    if (left > 0) {
        const std::int64_t opened = direction * left;
        std::int64_t openedCost = 0;
        if (__builtin_mul_overflow(price.value(), opened, &openedCost) ||
            __builtin_add_overflow(position.openCost, openedCost, &position.openCost)) {
            return overflow("the open cost of a position");
        }
        position.lots.push_back(Lot{position.nextLot++, sequence, price.value(), opened});
        position.quantity += opened;
    }
    ++position.tradeCount;
    position.lastSequence = sequence;
    position.dirty = true;
    return std::nullopt;
}

// Lots change only at the front (closed or partly closed) and at the back (opened), so the
// closed ones are deleted, the front one rewritten and those opened since the last write added.
std::optional<Problem> Projection::writePosition(Position &position)
{
    const std::int64_t account = position.account.value();
    const std::int64_t instrument = position.instrument.value();
    sqlite3_stmt *replace = m_statements->replacePosition.get();
    sqlite3_bind_int64(replace, 1, account);
    sqlite3_bind_int64(replace, 2, instrument);
    sqlite3_bind_int64(replace, 3, position.quantity);
    sqlite3_bind_int64(replace, 4, position.openCost);
    sqlite3_bind_int64(replace, 5, position.realizedPnl);
    sqlite3_bind_int64(replace, 6, position.tradeCount);
    sqlite3_bind_int64(replace, 7, asInteger(position.lastSequence));
    int resultCode = stepOnce(replace);

    if (resultCode == SQLITE_DONE) {
        sqlite3_stmt *remove = m_statements->deleteClosedLots.get();
        sqlite3_bind_int64(remove, 1, account);
        sqlite3_bind_int64(remove, 2, instrument);
        sqlite3_bind_int64(remove, 3,
                           position.lots.empty() ? position.nextLot : position.lots.front().number);
        resultCode = stepOnce(remove);
    }
    for (std::size_t index = 0; index < position.lots.size() && resultCode == SQLITE_DONE;
         ++index) {
        const Lot &lot = position.lots[index];
        if (index > 0 && lot.number <= position.lastWrittenLot) {
            continue;
        }
        sqlite3_stmt *replaceLot = m_statements->replaceLot.get();
        sqlite3_bind_int64(replaceLot, 1, account);
        sqlite3_bind_int64(replaceLot, 2, instrument);
        sqlite3_bind_int64(replaceLot, 3, lot.number);
        sqlite3_bind_int64(replaceLot, 4, asInteger(lot.openedSequence));
        sqlite3_bind_int64(replaceLot, 5, lot.price);
        sqlite3_bind_int64(replaceLot, 6, lot.quantity);
        resultCode = stepOnce(replaceLot);
    }
    if (resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write a position");
    }
    position.lastWrittenLot = position.nextLot - 1;
    return std::nullopt;
}

} // namespace bourse::storage::views
