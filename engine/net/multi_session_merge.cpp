#include "multi_session_merge.h"

#include <algorithm>
#include <map>

namespace bourse::net {

namespace {

constexpr std::size_t kFinishedOrdersKept = 500;
constexpr std::size_t kFillsKept = 500;
constexpr std::size_t kRiskNoticesKept = 200;

std::string engineLabel(const std::vector<std::string> &names, std::size_t engine)
{
    if (engine < names.size() && !names[engine].empty())
        return names[engine];
    return "engine " + std::to_string(engine + 1);
}

std::string joined(const std::vector<std::string> &texts, const std::string &separator)
{
    std::string text;
    for (const std::string &part : texts)
        text += (text.empty() ? "" : separator) + part;
    return text;
}

// The index of the engine whose view the market part of the merged view comes from: the focus's
// owner, or the first engine with a view.
std::optional<std::size_t> focusEngine(const EngineViews &views, const InstrumentOwnership &owners,
                                       InstrumentId focus)
{
    if (focus.value() == 0 && !owners.owners.empty())
        return owners.owners.front().engine;
    if (const std::optional<std::size_t> owner = owners.ownerOf(focus))
        return owner;
    for (std::size_t engine = 0; engine < views.size(); ++engine) {
        if (views[engine])
            return engine;
    }
    return std::nullopt;
}

template <typename Item, typename Newer>
void keepNewest(std::vector<Item> &items, std::size_t kept, Newer newer)
{
    std::stable_sort(items.begin(), items.end(), newer);
    if (items.size() > kept)
        items.resize(kept);
}

void mergeRisk(TraderView &merged, const TraderView &engine)
{
    merged.globalKillSwitch = std::max(merged.globalKillSwitch, engine.globalKillSwitch);
    for (const RiskMonitor &monitor : engine.risk) {
        auto same = std::find_if(merged.risk.begin(), merged.risk.end(), [&](const RiskMonitor &m) {
            return m.account == monitor.account;
        });
        if (same == merged.risk.end()) {
            merged.risk.push_back(monitor);
            continue;
        }
        // An account is stopped wherever any engine stopped it.
        same->killSwitch = std::max(same->killSwitch, monitor.killSwitch);
        same->globalKillSwitch = std::max(same->globalKillSwitch, monitor.globalKillSwitch);
    }
}

// Adds an engine's cash to the merged figures, account by account.
void addCash(TraderView &merged, const TraderView &engine)
{
    merged.cash.resize(merged.accounts.size());
    for (std::size_t index = 0; index < engine.accounts.size() && index < engine.cash.size();
         ++index) {
        const auto account =
            std::find(merged.accounts.begin(), merged.accounts.end(), engine.accounts[index]);
        if (account == merged.accounts.end())
            continue;
        Money &sum = merged.cash[static_cast<std::size_t>(account - merged.accounts.begin())];
        sum = Money{sum.value() + engine.cash[index].value()};
    }
}

void addTrader(TraderView &merged, const TraderView &engine, std::size_t index)
{
    if (merged.accounts.empty()) {
        merged.accounts = engine.accounts;
        merged.limits = engine.limits;
    }
    for (OwnOrder order : engine.workingOrders) {
        order.id = mergedOrderId(index, order.id);
        merged.workingOrders.push_back(std::move(order));
    }
    for (OwnOrder order : engine.finishedOrders) {
        order.id = mergedOrderId(index, order.id);
        merged.finishedOrders.push_back(std::move(order));
    }
    for (OwnFill fill : engine.fills) {
        fill.order = mergedOrderId(index, fill.order);
        merged.fills.push_back(fill);
    }
    for (RiskNotice notice : engine.riskNotices) {
        if (notice.order.value() != 0)
            notice.order = mergedOrderId(index, notice.order);
        merged.riskNotices.push_back(std::move(notice));
    }
    merged.positions.insert(merged.positions.end(), engine.positions.begin(),
                            engine.positions.end());
    mergeRisk(merged, engine);
    addCash(merged, engine);
}

TraderView mergeTraders(const EngineViews &views, const std::vector<OwnOrder> &localRejections)
{
    TraderView merged;
    for (std::size_t index = 0; index < views.size(); ++index) {
        if (views[index])
            addTrader(merged, views[index]->trader, index);
    }
    merged.finishedOrders.insert(merged.finishedOrders.end(), localRejections.begin(),
                                 localRejections.end());

    std::stable_sort(merged.workingOrders.begin(), merged.workingOrders.end(),
                     [](const OwnOrder &a, const OwnOrder &b) { return a.entered < b.entered; });
    keepNewest(merged.finishedOrders, kFinishedOrdersKept,
               [](const OwnOrder &a, const OwnOrder &b) { return a.updated > b.updated; });
    keepNewest(merged.fills, kFillsKept,
               [](const OwnFill &a, const OwnFill &b) { return a.time > b.time; });
    keepNewest(merged.riskNotices, kRiskNoticesKept,
               [](const RiskNotice &a, const RiskNotice &b) { return a.time > b.time; });
    return merged;
}

// The market watch: every engine's instruments, each once, in engine order.
std::vector<InstrumentQuote> mergeQuotes(const EngineViews &views)
{
    std::vector<InstrumentQuote> quotes;
    for (const auto &view : views) {
        if (!view)
            continue;
        for (const InstrumentQuote &quote : view->instruments) {
            const bool known = std::any_of(quotes.begin(), quotes.end(), [&](const auto &q) {
                return q.instrument == quote.instrument;
            });
            if (!known)
                quotes.push_back(quote);
        }
    }
    return quotes;
}

// The first error of an engine's view, named by the engine, after the ownership conflicts.
std::string mergedError(const EngineViews &views, const std::vector<std::string> &names,
                        const InstrumentOwnership &owners)
{
    std::vector<std::string> errors = owners.conflicts;
    for (std::size_t engine = 0; engine < views.size(); ++engine) {
        if (views[engine] && !views[engine]->error.empty())
            errors.push_back(engineLabel(names, engine) + ": " + views[engine]->error);
    }
    return joined(errors, "; ");
}

// Sums every count. handshakeFailuresInARow is left at 0: it is each engine's gauge, read from
// its own entry of ConnectionStatus::engines.
void addCounters(ClientCounters &sum, const ClientCounters &add)
{
    for (auto field : {&ClientCounters::messagesSent, &ClientCounters::messagesReceived,
                       &ClientCounters::heartbeatsSent, &ClientCounters::connects,
                       &ClientCounters::endpointSwitches, &ClientCounters::deadPeers,
                       &ClientCounters::instanceChanges, &ClientCounters::commandsSent,
                       &ClientCounters::commandsResent, &ClientCounters::repliesReceived,
                       &ClientCounters::unmatchedReplies, &ClientCounters::errorRepliesReceived,
                       &ClientCounters::invalidMessages, &ClientCounters::linkGaps,
                       &ClientCounters::linksReopened, &ClientCounters::snapshotRequestsSent,
                       &ClientCounters::handshakeFailures, &ClientCounters::handshakeRejections})
        sum.*field += add.*field;
}

void addSyncCounters(SyncCounters &sum, const SyncCounters &add)
{
    for (auto field :
         {&SyncCounters::gaps, &SyncCounters::duplicatesDropped, &SyncCounters::snapshotsApplied,
          &SyncCounters::snapshotRequests, &SyncCounters::lostParts, &SyncCounters::mismatches,
          &SyncCounters::eventsApplied, &SyncCounters::queueOverflows, &SyncCounters::queuedDropped,
          &SyncCounters::instanceChanges})
        sum.*field += add.*field;
}

// The symbol of each instrument the views show.
std::map<std::uint32_t, std::string> symbolsOf(const EngineViews &views)
{
    std::map<std::uint32_t, std::string> symbols;
    for (const auto &view : views) {
        if (!view)
            continue;
        for (const InstrumentQuote &quote : view->instruments)
            symbols.emplace(quote.instrument.value(), quote.symbol);
    }
    return symbols;
}

// How many of the views show each instrument.
std::map<std::uint32_t, std::size_t> claimCounts(const EngineViews &views)
{
    std::map<std::uint32_t, std::size_t> claims;
    for (const auto &view : views) {
        if (!view)
            continue;
        for (const InstrumentQuote &quote : view->instruments)
            ++claims[quote.instrument.value()];
    }
    return claims;
}

// "instrument 3 (IDXF)": the stream name of a single session with the symbol that the status
// bar shows, or "instrument 3" while the symbol is unknown.
std::string instrumentStreamName(const std::map<std::uint32_t, std::string> &symbols,
                                 std::uint32_t instrument)
{
    std::string name = "instrument " + std::to_string(instrument);
    const auto symbol = symbols.find(instrument);
    if (symbol != symbols.end() && !symbol->second.empty())
        name += " (" + symbol->second + ")";
    return name;
}

std::string instrumentStreamName(const InstrumentQuote &quote)
{
    return instrumentStreamName({{quote.instrument.value(), quote.symbol}},
                                quote.instrument.value());
}

// Adds the symbol to a client's "instrument 3" stream name.
std::string withSymbol(const std::string &stream,
                       const std::map<std::uint32_t, std::string> &symbols)
{
    const std::string number = stream.substr(std::string("instrument ").size());
    if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos ||
        number.size() > 9)
        return stream;
    return instrumentStreamName(symbols, static_cast<std::uint32_t>(std::stoul(number)));
}

} // namespace

InstrumentOwnership findOwnership(const EngineViews &views, const std::vector<std::string> &names)
{
    InstrumentOwnership result;
    std::map<std::uint32_t, std::vector<std::size_t>> claims;
    for (std::size_t engine = 0; engine < views.size(); ++engine) {
        if (!views[engine])
            continue;
        for (const InstrumentQuote &quote : views[engine]->instruments) {
            std::vector<std::size_t> &claimants = claims[quote.instrument.value()];
            claimants.push_back(engine);
            if (claimants.size() == 1)
                result.owners.push_back({quote.instrument, quote.symbol, engine});
        }
    }

    for (const auto &[instrument, claimants] : claims) {
        if (claimants.size() < 2)
            continue;
        const auto owner = std::find_if(result.owners.begin(), result.owners.end(),
                                        [id = instrument](const InstrumentOwnership::Owner &o) {
                                            return o.instrument.value() == id;
                                        });
        std::vector<std::string> engines;
        for (const std::size_t engine : claimants)
            engines.push_back(engineLabel(names, engine));
        // The symbol leads, so that it still shows where the status bar elides the sentence.
        result.conflicts.push_back(owner->symbol + " (instrument " + std::to_string(instrument) +
                                   ") is owned by both " + joined(engines, " and ") +
                                   ", so its orders are rejected until one engine stops serving "
                                   "it");
        result.owners.erase(owner);
    }
    return result;
}

std::string unownedInstrumentText(InstrumentId instrument, const InstrumentOwnership &owners)
{
    for (const std::string &conflict : owners.conflicts) {
        if (conflict.find("(instrument " + std::to_string(instrument.value()) + ") ") !=
            std::string::npos)
            return "Not sent: " + conflict + ".";
    }
    return "Not sent: no connected engine serves instrument " + std::to_string(instrument.value()) +
           "; an engine that is down or not yet connected does not show its instruments.";
}

ConnectionStatus mergeStatuses(std::vector<ConnectionStatus> statuses,
                               const std::vector<std::string> &names,
                               const InstrumentOwnership &owners, const EngineViews &views)
{
    ConnectionStatus merged;
    merged.state = ClientState::WaitingToReconnect;
    const std::map<std::uint32_t, std::string> symbols = symbolsOf(views);
    std::vector<std::string> endpoints;
    std::vector<std::string> errors = owners.conflicts;
    for (std::size_t engine = 0; engine < statuses.size(); ++engine) {
        ConnectionStatus &status = statuses[engine];
        status.engineName = engineLabel(names, engine);
        if (views[engine]) {
            for (const InstrumentQuote &quote : views[engine]->instruments)
                status.ownedSymbols.push_back(quote.symbol);
        }
        // Live beats Connecting, which beats waiting.
        if (status.state == ClientState::Live ||
            (status.state == ClientState::Connecting && merged.state != ClientState::Live))
            merged.state = status.state;
        endpoints.push_back(status.orderEntryEndpoint);
        if (!status.lastError.empty())
            errors.push_back(status.engineName + ": " + status.lastError);
        addCounters(merged.counters, status.counters);
        addSyncCounters(merged.sync, status.sync);

        // Instruments have one owner, but every engine has the trader's accounts, so an
        // account's stream is named with its engine.
        for (const std::string &stream : status.staleStreams) {
            const bool instrument = stream.rfind("instrument ", 0) == 0;
            merged.staleStreams.push_back(instrument ? withSymbol(stream, symbols)
                                                     : stream + " of " + status.engineName);
        }
        if (status.state != ClientState::Live && views[engine]) {
            for (const InstrumentQuote &quote : views[engine]->instruments)
                merged.staleStreams.push_back(instrumentStreamName(quote));
        }
    }
    // The book of an instrument that two engines publish comes from one of them, and the
    // terminal cannot tell which, so it is marked as a stale stream too.
    for (const auto &[instrument, claims] : claimCounts(views)) {
        if (claims > 1)
            merged.staleStreams.push_back(instrumentStreamName(symbols, instrument) + " on " +
                                          std::to_string(claims) + " engines");
    }
    // Instruments first, as a single session lists them, and each kind in text order.
    std::sort(merged.staleStreams.begin(), merged.staleStreams.end(),
              [](const std::string &a, const std::string &b) {
                  const bool aInstrument = a.rfind("instrument ", 0) == 0;
                  const bool bInstrument = b.rfind("instrument ", 0) == 0;
                  return aInstrument != bInstrument ? aInstrument : a < b;
              });
    merged.staleStreams.erase(std::unique(merged.staleStreams.begin(), merged.staleStreams.end()),
                              merged.staleStreams.end());
    merged.orderEntryEndpoint = joined(endpoints, ", ");
    std::vector<std::string> keys;
    for (const ConnectionStatus &status : statuses)
        keys.push_back(status.serverPublicKey);
    merged.serverPublicKey = joined(keys, ", ");
    // A split market has no single run; the first engine's is kept, so that the terminal notes
    // a restart of that engine. Each engine's own is in `engines`.

    merged.instanceId = statuses.front().instanceId;
    merged.lastError = joined(errors, "; ");
    merged.engines = std::move(statuses);
    return merged;
}

std::shared_ptr<const MarketView> ViewMerger::merge(const EngineViews &views,
                                                    const std::vector<std::string> &names,
                                                    InstrumentId focus,
                                                    const std::vector<OwnOrder> &localRejections)
{
    if (m_valid && views == m_sources && m_latest)
        return m_latest;
    const InstrumentOwnership owners = findOwnership(views, names);
    const std::optional<std::size_t> engine = focusEngine(views, owners, focus);
    if (engine != m_focusEngine && m_focusEngine)
        ++m_focusMoves;
    m_focusEngine = engine;

    auto merged = std::make_shared<MarketView>();
    if (engine)
        *merged = *views[*engine];
    merged->mode = SessionMode::Remote;
    merged->instruments = mergeQuotes(views);
    merged->trader = mergeTraders(views, localRejections);
    merged->takesOrders = false;
    merged->totalEvents = 0;
    merged->totalTrades = 0;
    merged->eventsPerSecond = 0.0;
    std::uint64_t seeks = m_focusMoves;
    std::vector<std::string> sources;
    for (const auto &view : views) {
        if (!view)
            continue;
        merged->takesOrders = merged->takesOrders || view->takesOrders;
        merged->totalEvents += view->totalEvents;
        merged->totalTrades += view->totalTrades;
        merged->eventsPerSecond += view->eventsPerSecond;
        seeks += view->replaySeeks;
        sources.push_back(view->replaySource);
    }
    merged->replaySeeks = seeks;
    merged->replaySource = joined(sources, ", ");
    merged->error = mergedError(views, names, owners);
    merged->viewNumber = ++m_viewNumber;

    m_sources = views;
    m_latest = std::move(merged);
    m_valid = true;
    return m_latest;
}

} // namespace bourse::net
