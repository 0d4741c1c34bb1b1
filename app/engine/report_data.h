#pragma once

// The figures of a session report, collected while a journal's events are restored into an
// Engine. Money comes from the engine's portfolio and FillPosted events, exactly as the terminal
// shows it, and is kept in integer money units until the report formats it.

#include "engine.h"
#include "events.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bourse::cli::report {

// One value of a series and the event that set it.
struct SeriesPoint {
    SequenceNumber sequence = 0;
    Timestamp time;
    std::int64_t value = 0; // price units for prices, money units for P&L
};

// A series thinned to a bounded number of points as it streams in, so that a chart of a journal
// of millions of events stays small. Points fall into buckets of consecutive sequence numbers,
// and each bucket keeps its first, lowest, highest and last point, so a spike inside a bucket
// stays visible. When the buckets exceed the maximum, their width doubles and neighbours merge.
class SeriesSampler {
public:
    explicit SeriesSampler(std::size_t maximumBuckets);

    // Points must come in ascending sequence order.
    void add(const SeriesPoint &point);

    // The kept points in sequence order without repeats: at most 4 per bucket.
    std::vector<SeriesPoint> points() const;

    std::uint64_t added() const { return m_added; }
    bool empty() const { return m_added == 0; }

private:
    struct Bucket {
        std::uint64_t key = 0; // sequence / m_width
        SeriesPoint first;
        SeriesPoint lowest;
        SeriesPoint highest;
        SeriesPoint last;
    };

    void mergeNeighbours();

    std::size_t m_maximumBuckets;
    std::uint64_t m_width = 1;
    std::vector<Bucket> m_buckets;
    std::uint64_t m_added = 0;
};

// Buckets per series: 500 buckets of at most 4 points keep a line under 2,000 points.
inline constexpr std::size_t kSeriesBuckets = 500;
// Rows of the round-trip and risk tables at most; the statistics count every one.
inline constexpr std::size_t kMaximumTableRows = 1'000;

// A position from flat to flat again, in one account and instrument. A fill that takes the
// position across zero closes one round trip and opens the next.
struct RoundTrip {
    InstrumentId instrument;
    Side direction = Side::Buy; // Buy: long, Sell: short
    SequenceNumber openedSequence = 0;
    Timestamp opened;
    SequenceNumber closedSequence = 0; // zero while the position is open
    Timestamp closed;
    Quantity largestQuantity; // the largest absolute position on the way
    std::uint64_t fills = 0;  // a fill across zero counts in both round trips
    Money realized;           // the engine's realized P&L of the fills, before fees
    // Fees of the fills. A fill across zero splits its fee by quantity, rounded half to even,
    // and the round trip it opens takes the rest.
    Money fees;

    bool isClosed() const { return closedSequence != 0; }
};

// The largest fall of a P&L curve from a running peak to a later low.
struct Drawdown {
    Money amount; // zero when the curve never fell below an earlier peak
    SeriesPoint peak;
    SeriesPoint trough;
};

// The figures of one reported account.
struct AccountReport {
    AccountSettings settings;
    SeriesPoint opening; // the AccountOpened event, where the curves start at zero
    std::uint64_t fills = 0;
    Money fees;                                    // of every fill, rebates negative
    std::vector<InstrumentId> instruments;         // in the order of their first fill
    std::vector<RoundTrip> roundTrips;             // in the order they opened
    std::map<InstrumentId, std::size_t> openTrips; // index in roundTrips of each open one
    // Net P&L (realized - fees + unrealized) and realized P&L after fees, after each trade
    // that changed them, once the trade's fills are posted.
    SeriesSampler netCurve{kSeriesBuckets};
    SeriesSampler realizedCurve{kSeriesBuckets};
    SeriesPoint lastNet;
    std::int64_t lastRealized = 0;
    SeriesPoint peak;
    Drawdown drawdown;
};

// The market and the reported accounts' fills in one instrument.
struct InstrumentReport {
    InstrumentDefinition definition;
    std::uint64_t trades = 0;
    SeriesSampler prices{kSeriesBuckets}; // every trade's price
    SeriesSampler buys{kSeriesBuckets};   // fill prices of the reported accounts
    SeriesSampler sells{kSeriesBuckets};
};

enum class RiskKind : std::uint8_t { Rejection = 0, Alert = 1, KillSwitch = 2 };
inline constexpr std::size_t kRiskKindCount = 3;

// A risk event of a reported account, or of the global kill switch.
struct RiskRow {
    SequenceNumber sequence = 0;
    Timestamp time;
    RiskKind kind = RiskKind::Rejection;
    AccountId account; // zero for the global kill switch
    InstrumentId instrument;
    OrderId order; // zero when the event is not about an order
    RiskRule rule = RiskRule::None;
    std::string text; // the sentence the terminal's risk notices show
};

// A position at the end of the journal, valued as the terminal values it.
struct PositionRow {
    AccountId account;
    InstrumentId instrument;
    int moneyDecimals = 2;
    Quantity quantity;
    AveragePrice average;
    Price mark; // the last trade price, or the instrument's reference before one; zero for none
    Money realized;
    Money unrealized;
    Money fees;
    std::uint64_t fills = 0;
};

struct SessionReport {
    std::string journalPath;
    std::vector<AccountId> requestedAccounts;
    std::uint64_t events = 0;
    SeriesPoint first; // the first and last events, value unused
    SeriesPoint last;
    std::vector<AccountReport> accounts;    // requested accounts the journal opened
    std::vector<AccountId> missingAccounts; // requested accounts the journal never opened
    std::map<InstrumentId, InstrumentReport> instruments;
    std::vector<RiskRow> riskRows; // the first kMaximumTableRows
    std::array<std::uint64_t, kRiskKindCount> riskCounts{};
    std::vector<PositionRow> positions; // by account, then instrument

    // Whether a reported account has a fill or a risk event.
    bool hasTraderActivity() const;
    const InstrumentDefinition *definition(InstrumentId id) const;
};

// The statistics of one account, as the report's definitions state them.
struct AccountStatistics {
    std::uint64_t closedRoundTrips = 0;
    std::uint64_t openRoundTrips = 0;
    std::uint64_t wins = 0;                     // closed round trips with realized P&L above zero
    std::int64_t averageHoldingNanoseconds = 0; // over closed round trips, truncated
    Money realized;                             // of every position, before fees
    Money unrealized;                           // of every position at its mark
    Money fees;
    Money net;           // realized - fees + unrealized
    bool inRange = true; // false when a sum leaves the 64-bit range, and the sums are zero
};

AccountStatistics statisticsOf(const AccountReport &account,
                               const std::vector<PositionRow> &positions);

// Collects a SessionReport from events restored into an engine, one at a time. A P&L point is
// taken once a trade's fills are posted, that is before the next event that is not a
// FillPosted, because the engine publishes a trade's FillPosted events right after it.
class ReportCollector {
public:
    ReportCollector(std::string journalPath, std::vector<AccountId> accounts);

    // Takes in an event that `engine` has just restored.
    void observe(const Event &event, const Engine &engine);

    // Takes the last P&L points and the final positions from `engine`, after the last event.
    SessionReport finish(const Engine &engine);

    // Why the collection stopped being exact, such as a P&L beyond 64 bits; empty otherwise.
    const std::string &error() const { return m_error; }

private:
    AccountReport *findAccount(AccountId id);
    InstrumentReport &instrumentFor(InstrumentId id, const Engine &engine);
    void observeTrade(const Event &event, const Trade &trade, const Engine &engine);
    void observeFill(const Event &event, const FillPosted &posted, const Engine &engine);
    void observeRisk(const Event &event, const Engine &engine);
    RoundTrip &openRoundTrip(AccountReport &account, const Event &event, InstrumentId instrument,
                             Side direction);
    void updateRoundTrips(AccountReport &account, const Event &event, const FillPosted &posted);
    void addMoneyTo(Money &total, Money amount, const Event &event);
    void takePendingPoints(const Engine &engine);
    void takePoint(AccountReport &account, const Engine &engine);
    void addPositions(const AccountReport &account, const std::vector<InstrumentId> &instruments,
                      const Engine &engine);

    SessionReport m_report;
    std::vector<bool> m_pending; // by index in m_report.accounts: a P&L point is due
    SeriesPoint m_lastEvent;
    std::string m_error;
};

} // namespace bourse::cli::report
