// Pre-trade risk: limits, kill switches, rejections and alerts.

#include "read_models_projection.h"

#include "read_models_support.h"

#include "risk_checks.h"

#include <string>

namespace bourse::storage::views {

namespace {

std::uint64_t limitsKey(AccountId account, InstrumentId instrument)
{
    return std::uint64_t{account.value()} << 32 | instrument.value();
}

bool overrides(std::uint16_t overridden, RiskLimitField field)
{
    return (overridden & static_cast<std::uint16_t>(field)) != 0;
}

// The limits in effect in an instrument: the fields the row overrides from the row, the others
// from the account's defaults.
RiskLimits resolve(const RiskLimits &defaults, const Projection::LimitsRow &row)
{
    const RiskLimits &own = row.limits;
    const std::uint16_t bits = row.overridden;
    RiskLimits limits = defaults;
    if (overrides(bits, RiskLimitField::OrderQuantity)) {
        limits.maximumOrderQuantity = own.maximumOrderQuantity;
    }
    if (overrides(bits, RiskLimitField::OrderNotional)) {
        limits.maximumOrderNotional = own.maximumOrderNotional;
    }
    if (overrides(bits, RiskLimitField::LongPosition)) {
        limits.maximumLongPosition = own.maximumLongPosition;
    }
    if (overrides(bits, RiskLimitField::ShortPosition)) {
        limits.maximumShortPosition = own.maximumShortPosition;
    }
    if (overrides(bits, RiskLimitField::PriceBand)) {
        limits.priceBandBasisPoints = own.priceBandBasisPoints;
    }
    if (overrides(bits, RiskLimitField::OpenOrders)) {
        limits.maximumOpenOrders = own.maximumOpenOrders;
    }
    if (overrides(bits, RiskLimitField::OrdersPerSecond)) {
        limits.maximumOrdersPerSecond = own.maximumOrdersPerSecond;
    }
    return limits;
}

RiskDecision decisionOf(const RiskRejected &rejected)
{
    RiskDecision decision;
    decision.rule = rejected.rule;
    decision.scope = rejected.scope;
    decision.killSwitch = rejected.killSwitch;
    decision.unit = rejected.unit;
    decision.decimals = rejected.decimals;
    decision.side = rejected.side;
    decision.current = rejected.current;
    decision.working = rejected.working;
    decision.order = rejected.order;
    decision.wouldBe = rejected.wouldBe;
    decision.limit = rejected.limit;
    return decision;
}

} // namespace

// An instrument row in the file contains the resolved limits, whose overridden fields are the
// override's own values. Reading the row back thus gives what later defaults are resolved with.
std::optional<Problem> Projection::loadRiskLimits()
{
    int resultCode = SQLITE_OK;
    const StatementHandle select = prepareStatement(
        m_database,
        "SELECT account, instrument, maximum_order_quantity, maximum_order_notional, "
        "maximum_long_position, maximum_short_position, price_band_basis_points, "
        "maximum_open_orders, maximum_orders_per_second, daily_loss_limit, margin_buying_power, "
        "overridden FROM risk_limits",
        resultCode);
    if (!select) {
        return sqliteProblem(m_database, resultCode, "failed to read the risk limits");
    }
    while ((resultCode = sqlite3_step(select.get())) == SQLITE_ROW) {
        std::int64_t values[12] = {};
        for (int column = 0; column < 12; ++column) {
            const std::optional<std::int64_t> value = integerAt(select.get(), column);
            if (!value) {
                return damagedRow("a risk_limits row", "a column is not an integer");
            }
            values[column] = *value;
        }
        LimitsRow row;
        row.limits.maximumOrderQuantity = Quantity{values[2]};
        row.limits.maximumOrderNotional = Money{values[3]};
        row.limits.maximumLongPosition = Quantity{values[4]};
        row.limits.maximumShortPosition = Quantity{values[5]};
        row.limits.priceBandBasisPoints = values[6];
        row.limits.maximumOpenOrders = values[7];
        row.limits.maximumOrdersPerSecond = values[8];
        row.limits.dailyLossLimit = Money{values[9]};
        row.limits.marginBuyingPower = Money{values[10]};
        row.overridden = static_cast<std::uint16_t>(values[11]);
        const auto account = AccountId{static_cast<std::uint32_t>(values[0])};
        const auto instrument = InstrumentId{static_cast<std::uint32_t>(values[1])};
        m_riskLimits.emplace(limitsKey(account, instrument), row);
    }
    if (resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to read the risk limits");
    }
    return std::nullopt;
}

// New defaults change the fields that the account's instrument rows take from them, so those
// rows are written again with this event. An override that marks no field is removed, as the
// engine removes it, and so is its row.
std::optional<Problem> Projection::applyPayload(const Event &event, const RiskLimitsSet &changed)
{
    const AccountId account = changed.account;
    const std::uint64_t key = limitsKey(account, event.instrument);
    if (event.instrument.value() != 0) {
        if (changed.overridden == 0) {
            m_riskLimits.erase(key);
            sqlite3_stmt *remove = m_statements->deleteLimits.get();
            sqlite3_bind_int64(remove, 1, account.value());
            sqlite3_bind_int64(remove, 2, event.instrument.value());
            if (const int resultCode = stepOnce(remove); resultCode != SQLITE_DONE) {
                return sqliteProblem(m_database, resultCode, "failed to delete risk limits");
            }
            return std::nullopt;
        }
        const LimitsRow &row = m_riskLimits[key] = LimitsRow{changed.limits, changed.overridden};
        return writeLimits(event, account, event.instrument, row);
    }

    const LimitsRow &defaults = m_riskLimits[key] = LimitsRow{changed.limits, 0};
    if (auto problem = writeLimits(event, account, InstrumentId{}, defaults)) {
        return problem;
    }
    for (auto entry = m_riskLimits.upper_bound(key);
         entry != m_riskLimits.end() && entry->first >> 32 == account.value(); ++entry) {
        const auto instrument = InstrumentId{static_cast<std::uint32_t>(entry->first)};
        if (auto problem = writeLimits(event, account, instrument, entry->second)) {
            return problem;
        }
    }
    return std::nullopt;
}

std::optional<Problem> Projection::writeLimits(const Event &event, AccountId account,
                                               InstrumentId instrument, const LimitsRow &row)
{
    RiskLimits limits = row.limits;
    if (instrument.value() != 0) {
        const auto defaults = m_riskLimits.find(limitsKey(account, InstrumentId{}));
        limits =
            resolve(defaults != m_riskLimits.end() ? defaults->second.limits : RiskLimits{}, row);
    }
    sqlite3_stmt *replace = m_statements->replaceLimits.get();
    sqlite3_bind_int64(replace, 1, account.value());
    sqlite3_bind_int64(replace, 2, instrument.value());
    sqlite3_bind_int64(replace, 3, limits.maximumOrderQuantity.value());
    sqlite3_bind_int64(replace, 4, limits.maximumOrderNotional.value());
    sqlite3_bind_int64(replace, 5, limits.maximumLongPosition.value());
    sqlite3_bind_int64(replace, 6, limits.maximumShortPosition.value());
    sqlite3_bind_int64(replace, 7, limits.priceBandBasisPoints);
    sqlite3_bind_int64(replace, 8, limits.maximumOpenOrders);
    sqlite3_bind_int64(replace, 9, limits.maximumOrdersPerSecond);
    sqlite3_bind_int64(replace, 10, limits.dailyLossLimit.value());
    sqlite3_bind_int64(replace, 11, limits.marginBuyingPower.value());
    sqlite3_bind_int64(replace, 12, row.overridden);
    sqlite3_bind_int64(replace, 13, event.time.value());
    sqlite3_bind_int64(replace, 14, asInteger(event.sequence));
    if (const int resultCode = stepOnce(replace); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write risk limits");
    }
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &event,
                                                const KillSwitchChanged &changed)
{
    sqlite3_stmt *replace = m_statements->replaceKillSwitch.get();
    sqlite3_bind_int64(replace, 1, changed.account.value());
    bindName(replace, 2, enumeratorName(changed.scope));
    sqlite3_bind_int64(replace, 3, event.time.value());
    sqlite3_bind_int64(replace, 4, asInteger(event.sequence));
    if (const int resultCode = stepOnce(replace); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write a kill switch");
    }
    return std::nullopt;
}

// NOTE: the description is the sentence of the build that projected the event. A views file
// keeps it when describe() is reworded later, until the file is rebuilt.
std::optional<Problem> Projection::applyPayload(const Event &event, const RiskRejected &rejected)
{
    const std::string description = describe(decisionOf(rejected));
    sqlite3_stmt *insert = m_statements->insertRiskRejection.get();
    sqlite3_bind_int64(insert, 1, asInteger(event.sequence));
    sqlite3_bind_int64(insert, 2, event.time.value());
    sqlite3_bind_int64(insert, 3, event.instrument.value());
    sqlite3_bind_int64(insert, 4, asInteger(rejected.id.value()));
    sqlite3_bind_int64(insert, 5, rejected.account.value());
    bindOptional(insert, 6, rejected.clientOrderId.value() != 0,
                 asInteger(rejected.clientOrderId.value()));
    bindName(insert, 7, enumeratorName(rejected.rule));
    bindName(insert, 8, enumeratorName(rejected.scope));
    bindName(insert, 9, enumeratorName(rejected.killSwitch));
    bindName(insert, 10, enumeratorName(rejected.unit));
    sqlite3_bind_int64(insert, 11, rejected.decimals);
    bindName(insert, 12, enumeratorName(rejected.side));
    sqlite3_bind_int64(insert, 13, rejected.current);
    sqlite3_bind_int64(insert, 14, rejected.working);
    sqlite3_bind_int64(insert, 15, rejected.order);
    sqlite3_bind_int64(insert, 16, rejected.wouldBe);
    sqlite3_bind_int64(insert, 17, rejected.limit);
    sqlite3_bind_text(insert, 18, description.c_str(), static_cast<int>(description.size()),
                      SQLITE_STATIC);
    if (const int resultCode = stepOnce(insert); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write a risk rejection");
    }
    return std::nullopt;
}

std::optional<Problem> Projection::applyPayload(const Event &event, const RiskAlert &alert)
{
    sqlite3_stmt *insert = m_statements->insertRiskAlert.get();
    sqlite3_bind_int64(insert, 1, asInteger(event.sequence));
    sqlite3_bind_int64(insert, 2, event.time.value());
    sqlite3_bind_int64(insert, 3, alert.account.value());
    sqlite3_bind_int64(insert, 4, event.instrument.value());
    bindName(insert, 5, enumeratorName(alert.rule));
    bindName(insert, 6, enumeratorName(alert.scope));
    bindName(insert, 7, enumeratorName(alert.level));
    sqlite3_bind_int64(insert, 8, alert.use);
    sqlite3_bind_int64(insert, 9, alert.limit);
    sqlite3_bind_int64(insert, 10, alert.basisPoints);
    if (const int resultCode = stepOnce(insert); resultCode != SQLITE_DONE) {
        return sqliteProblem(m_database, resultCode, "failed to write a risk alert");
    }
    return std::nullopt;
}

} // namespace bourse::storage::views
