// Portfolio accounts and their positions, from AccountOpened and FillPosted.

#include "read_models_projection.h"

#include "read_models_support.h"

#include "event_text.h"

#include <string>

namespace bourse::storage::views {

namespace {

std::uint64_t accountPositionKey(AccountId account, InstrumentId instrument)
{
    return std::uint64_t{account.value()} << 32 | instrument.value();
}

std::string accountName(AccountId account)
{
    return "account " + std::to_string(account.value());
}

// Reads `count` integer columns of the current row into `values`. Returns false when one is
// not an integer.
bool readIntegers(sqlite3_stmt *select, std::int64_t *values, int count)
{
    for (int column = 0; column < count; ++column) {
        const std::optional<std::int64_t> value = integerAt(select, column);
        if (!value) {
            return false;
        }
        values[column] = *value;
    }
    return true;
}

} // namespace

std::optional<Problem> Projection::loadAccounts()
{
    int resultCode = SQLITE_OK;
    const StatementHandle select = prepareStatement(
        m_database,
        "SELECT account, cash_balance, fees_paid, realized_pnl, fill_count, last_sequence FROM "
        "accounts",
        resultCode);
    if (!select) {
        return sqliteProblem(m_database, resultCode, "failed to read the accounts");
    }
    while ((resultCode = sqlite3_step(select.get())) == SQLITE_ROW) {
        std::int64_t values[6] = {};
        if (!readIntegers(select.get(), values, 6)) {
            return damagedRow("an accounts row", "a column is not an integer");
        }
        Account account;
        account.account = AccountId{static_cast<std::uint32_t>(values[0])};
        account.cashBalance = values[1];
        account.feesPaid = values[2];
        account.realizedPnl = values[3];
        account.fillCount = values[4];
        account.lastSequence = static_cast<SequenceNumber>(values[5]);
        m_accounts.emplace(account.account.value(), account);
    }
    if (resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to read the accounts");
    }
    return std::nullopt;
}

std::optional<Problem> Projection::loadAccountPositions()
{
    int resultCode = SQLITE_OK;
    const StatementHandle select = prepareStatement(
        m_database,
        "SELECT account, instrument, quantity, realized_pnl, fees_paid, fill_count, last_price, "
        "last_sequence FROM account_positions",
        resultCode);
    if (!select) {
        return sqliteProblem(m_database, resultCode, "failed to read the account positions");
    }
    while ((resultCode = sqlite3_step(select.get())) == SQLITE_ROW) {
        std::int64_t values[8] = {};
        if (!readIntegers(select.get(), values, 8)) {
            return damagedRow("an account_positions row", "a column is not an integer");
        }
        AccountPosition position;
        position.account = AccountId{static_cast<std::uint32_t>(values[0])};
        position.instrument = InstrumentId{static_cast<std::uint32_t>(values[1])};
        position.quantity = values[2];
        position.realizedPnl = values[3];
        position.feesPaid = values[4];
        position.fillCount = values[5];
        position.lastPrice = values[6];
        position.lastSequence = static_cast<SequenceNumber>(values[7]);
        m_accountPositions.emplace(accountPositionKey(position.account, position.instrument),
                                   position);
    }
    if (resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to read the account positions");
    }
    return std::nullopt;
}

// The settings and the opening balance are written at once; the totals start at zero.
std::optional<Problem> Projection::applyPayload(const Event &event, const AccountOpened &opened)
{
    const AccountSettings &settings = opened.settings;
    if (m_accounts.count(settings.id.value()) != 0) {
        return inconsistent(accountName(settings.id) + " is opened again");
    }
    const std::string currency = textOf(settings.currency);
    sqlite3_stmt *insert = m_statements->insertAccount.get();
    sqlite3_bind_int64(insert, 1, settings.id.value());
    sqlite3_bind_text(insert, 2, currency.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 3, settings.moneyDecimals);
    bindName(insert, 4, enumeratorName(settings.type));
    sqlite3_bind_int64(insert, 5, settings.fees.maker.partsPerMillion);
    sqlite3_bind_int64(insert, 6, settings.fees.taker.partsPerMillion);
    sqlite3_bind_int64(insert, 7, settings.fees.perUnit.value());
    sqlite3_bind_int64(insert, 8, settings.fees.minimum.value());
    sqlite3_bind_int64(insert, 9, opened.openingBalance.value());
    sqlite3_bind_int64(insert, 10, asInteger(event.sequence));
    sqlite3_bind_int64(insert, 11, event.time.value());
    if (const int resultCode = stepOnce(insert); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode,
                             "failed to write the row of " + accountName(settings.id));
    }

    Account account;
    account.account = settings.id;
    account.cashBalance = opened.openingBalance.value();
    account.lastSequence = event.sequence;
    m_accounts.emplace(settings.id.value(), account);
    return std::nullopt;
}

// The event states the balance and the position after the fill, which the projection takes as
// they are. The position must follow from the one before and the fill, as the engine's restore
// checks, or every later row of the account would be wrong.
std::optional<Problem> Projection::applyPayload(const Event &event, const FillPosted &fill)
{
    const auto found = m_accounts.find(fill.account.value());
    if (found == m_accounts.end()) {
        return inconsistent("a fill is posted to " + accountName(fill.account) +
                            ", which no AccountOpened opened");
    }
    Account &account = found->second;
    AccountPosition &position =
        m_accountPositions[accountPositionKey(fill.account, fill.instrument)];
    position.account = fill.account;
    position.instrument = fill.instrument;

    const std::int64_t signedQuantity =
        fill.side == Side::Buy ? fill.quantity.value() : -fill.quantity.value();
    std::int64_t expected = 0;
    if (__builtin_add_overflow(position.quantity, signedQuantity, &expected)) {
        return overflow("the position of an account");
    }
    if (expected != fill.position.value()) {
        return inconsistent("a fill of " + std::to_string(signedQuantity) + " leaves " +
                            accountName(fill.account) + " with " +
                            std::to_string(fill.position.value()) + " in instrument " +
                            std::to_string(fill.instrument.value()) + ", which had " +
                            std::to_string(position.quantity));
    }
    if (__builtin_add_overflow(account.feesPaid, fill.fee.value(), &account.feesPaid) ||
        __builtin_add_overflow(account.realizedPnl, fill.realizedProfitAndLoss.value(),
                               &account.realizedPnl) ||
        __builtin_add_overflow(position.feesPaid, fill.fee.value(), &position.feesPaid) ||
        __builtin_add_overflow(position.realizedPnl, fill.realizedProfitAndLoss.value(),
                               &position.realizedPnl)) {
        return overflow("the fees or realized P&L of an account");
    }

    account.cashBalance = fill.cashBalance.value();
    ++account.fillCount;
    account.lastSequence = event.sequence;
    account.dirty = true;

    position.quantity = fill.position.value();
    ++position.fillCount;
    position.lastPrice = fill.price.value();
    position.lastSequence = event.sequence;
    position.dirty = true;
    return std::nullopt;
}

std::optional<Problem> Projection::writeAccount(const Account &account)
{
    sqlite3_stmt *update = m_statements->updateAccount.get();
    sqlite3_bind_int64(update, 1, account.account.value());
    sqlite3_bind_int64(update, 2, account.cashBalance);
    sqlite3_bind_int64(update, 3, account.feesPaid);
    sqlite3_bind_int64(update, 4, account.realizedPnl);
    sqlite3_bind_int64(update, 5, account.fillCount);
    sqlite3_bind_int64(update, 6, asInteger(account.lastSequence));
    if (const int resultCode = stepOnce(update); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode,
                             "failed to write the row of " + accountName(account.account));
    }
    return std::nullopt;
}

std::optional<Problem> Projection::writeAccountPosition(const AccountPosition &position)
{
    sqlite3_stmt *replace = m_statements->replaceAccountPosition.get();
    sqlite3_bind_int64(replace, 1, position.account.value());
    sqlite3_bind_int64(replace, 2, position.instrument.value());
    sqlite3_bind_int64(replace, 3, position.quantity);
    sqlite3_bind_int64(replace, 4, position.realizedPnl);
    sqlite3_bind_int64(replace, 5, position.feesPaid);
    sqlite3_bind_int64(replace, 6, position.fillCount);
    sqlite3_bind_int64(replace, 7, position.lastPrice);
    sqlite3_bind_int64(replace, 8, asInteger(position.lastSequence));
    if (const int resultCode = stepOnce(replace); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode,
                             "failed to write a position of " + accountName(position.account));
    }
    return std::nullopt;
}

} // namespace bourse::storage::views
