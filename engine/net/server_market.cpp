// The server's engine, journal and market: recovery of a journal, the three kinds of market, the
// accounts of the access list's traders, and the pacing of a running market.

#include "server.h"

#include "agent_market.h"
#include "engine_recovery.h"
#include "journal_history.h"
#include "journaled_run.h"
#include "scenario.h"
#include "scenario_training.h"
#include "session_market.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>

namespace bourse::net {

namespace {

using Kind = ServerError::Kind;

std::int64_t wallClockNanoseconds()
{
    const auto sinceEpoch = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(sinceEpoch).count();
}

// The scenario lines a served market takes: they set the market up, and trade nothing.
bool isSetupLine(const scenario::Action &action)
{
    return std::holds_alternative<scenario::AddInstrumentCommand>(action) ||
           std::holds_alternative<scenario::ConfigureAccountCommand>(action) ||
           std::holds_alternative<scenario::OpenAccountCommand>(action) ||
           std::holds_alternative<scenario::RiskLimitsCommand>(action) ||
           std::holds_alternative<scenario::StatusCommand>(action) ||
           std::holds_alternative<scenario::KillSwitchCommand>(action);
}

void applySetup(Engine &engine, const scenario::Action &action, Timestamp time)
{
    if (const auto *add = std::get_if<scenario::AddInstrumentCommand>(&action)) {
        engine.addInstrument(add->definition, time);
    } else if (const auto *configure = std::get_if<scenario::ConfigureAccountCommand>(&action)) {
        engine.configureAccount(configure->configuration, time);
    } else if (const auto *open = std::get_if<scenario::OpenAccountCommand>(&action)) {
        if (open->configuration)
            engine.configureAccount(*open->configuration, time);
        engine.openAccount(open->settings, open->openingBalance, time);
    } else if (const auto *limits = std::get_if<scenario::RiskLimitsCommand>(&action)) {
        engine.setRiskOverrides(limits->account, limits->instrument, limits->limits,
                                limits->overridden, time);
    } else if (const auto *status = std::get_if<scenario::StatusCommand>(&action)) {
        engine.setTradingStatus(status->instrument, status->status, time);
    } else if (const auto *kill = std::get_if<scenario::KillSwitchCommand>(&action)) {
        if (kill->scope == KillSwitchScope::None)
            engine.resetKillSwitch(kill->account, time);
        else
            engine.engageKillSwitch(kill->account, kill->scope, time);
    }
}

// The time of the journal's last event, read from its newest chunk, or nothing when it cannot be
// read.
std::optional<Timestamp> lastEventTime(const std::string &path)
{
    storage::JournalHistory::Opened opened = storage::JournalHistory::open(path);
    std::vector<Event> newest;
    if (!opened.history || !opened.history->readOlder(newest) || newest.empty())
        return std::nullopt;
    return newest.back().time;
}

std::string joined(const std::vector<std::string> &symbols)
{
    std::string text;
    for (const std::string &symbol : symbols)
        text += (text.empty() ? "" : ", ") + symbol;
    return text;
}

// Checks that the market has every owned symbol. Throws a configuration error naming the
// instruments line and the market's symbols otherwise.
void checkOwnedSymbols(const ServerConfig &config, const std::vector<std::string> &available,
                       const std::string &market)
{
    for (const std::string &symbol : config.instruments) {
        if (std::find(available.begin(), available.end(), symbol) == available.end())
            throw ServerError(Kind::Configuration,
                              config.instrumentsLocation + ": error: instrument '" + symbol +
                                  "' is not in the " + market + "; its instruments are " +
                                  joined(available));
    }
}

// Keeps the owned instruments of an agent market, in the market's order, and the scheduled
// events of those, with their instrument indexes renumbered for the shorter list.
// NOTE: the agent market draws every instrument from one random stream, so an instrument's flow
// in a subset differs from its flow in the whole market under the same seed.
void keepOwnedInstruments(const ServerConfig &config, AgentMarket::Options &options,
                          const std::string &market)
{
    if (config.instruments.empty())
        return;
    std::vector<std::string> available;
    for (const AgentInstrument &instrument : options.instruments)
        available.push_back(instrument.symbol);
    checkOwnedSymbols(config, available, market);

    std::vector<AgentInstrument> kept;
    std::vector<std::size_t> newIndex(options.instruments.size(), SIZE_MAX);
    for (std::size_t index = 0; index < options.instruments.size(); ++index) {
        const AgentInstrument &instrument = options.instruments[index];
        if (std::find(config.instruments.begin(), config.instruments.end(), instrument.symbol) ==
            config.instruments.end())
            continue;
        newIndex[index] = kept.size();
        kept.push_back(instrument);
    }

    std::vector<MarketEvent> schedule;
    for (MarketEvent event : options.schedule) {
        if (event.instrument >= newIndex.size() || newIndex[event.instrument] == SIZE_MAX)
            continue;
        event.instrument = newIndex[event.instrument];
        schedule.push_back(event);
    }
    options.instruments = std::move(kept);
    options.schedule = std::move(schedule);
}

// The instrument a setup line is about; zero for a line about no instrument or every one.
InstrumentId instrumentOfSetup(const scenario::Action &action)
{
    if (const auto *add = std::get_if<scenario::AddInstrumentCommand>(&action))
        return add->definition.id;
    if (const auto *limits = std::get_if<scenario::RiskLimitsCommand>(&action))
        return limits->instrument;
    if (const auto *status = std::get_if<scenario::StatusCommand>(&action))
        return status->instrument;
    return InstrumentId{};
}

// The ids of the owned instruments among a scenario's definitions; every defined one when the
// configuration names none.
std::set<InstrumentId> ownedScenarioInstruments(const ServerConfig &config,
                                                const scenario::Scenario &scenario)
{
    std::vector<std::string> available;
    std::set<InstrumentId> owned;
    for (const scenario::Command &command : scenario.commands) {
        const auto *add = std::get_if<scenario::AddInstrumentCommand>(&command.action);
        if (add == nullptr)
            continue;
        const auto &field = add->definition.symbol;
        const std::string symbol(field.data(), std::find(field.begin(), field.end(), '\0'));
        available.push_back(symbol);
        if (config.instruments.empty() ||
            std::find(config.instruments.begin(), config.instruments.end(), symbol) !=
                config.instruments.end())
            owned.insert(add->definition.id);
    }
    checkOwnedSymbols(config, available, "scenario " + config.marketFile);
    return owned;
}

} // namespace

void Server::openJournalAndEngine()
{
    if (m_config.journal.empty()) {
        m_engine = std::make_unique<Engine>();
        return;
    }
    // The journal is locked before it is read, so that nothing appends between the recovery
    // and the writer's first event.
    std::unique_ptr<storage::JournalWriterLock> lock;
    std::error_code ignored;
    if (std::filesystem::is_regular_file(m_config.journal, ignored)) {
        storage::JournalWriterLock::Acquired acquired =
            storage::JournalWriterLock::acquire(m_config.journal);
        if (!acquired.lock)
            throw ServerError(Kind::Journal, acquired.error->toString());
        lock = std::move(acquired.lock);
    }

    app::RecoveredEngine recovered = app::recoverEngine(m_config.journal);
    if (recovered.engine) {
        m_engine = std::move(recovered.engine);
        log(LogLevel::Info, "recovered " + std::to_string(recovered.report.lastSequence) +
                                " events from " + m_config.journal + " (snapshot at " +
                                std::to_string(recovered.report.snapshotSequence) + ")");
    } else if (recovered.error->kind == storage::JournalErrorKind::OpenFailed) {
        m_engine = std::make_unique<Engine>();
    } else {
        throw ServerError(Kind::Journal, recovered.error->toString());
    }

    storage::JournalWriter::Created created =
        lock ? storage::JournalWriter::create(std::move(lock))
             : storage::JournalWriter::create(m_config.journal);
    if (!created.writer)
        throw ServerError(Kind::Journal, created.error->toString());
    m_journal = std::make_unique<app::JournaledRun>(std::move(created.writer), *m_engine,
                                                    m_config.snapshotEvery,
                                                    recovered.report.snapshotSequence);
    m_engine->addHandler(m_journal.get());
    log(LogLevel::Info, "journal " + m_config.journal + " continues after sequence " +
                            std::to_string(m_engine->lastSequence()));
}

void Server::setUpMarket()
{
    const bool fresh = m_engine->lastSequence() == 0;
    const Timestamp now{wallClockNanoseconds()};

    if (m_config.market == ServedMarket::Scenario) {
        const scenario::ParseResult parsed = scenario::loadScenario(m_config.marketFile);
        if (!parsed.ok())
            throw ServerError(Kind::Configuration, parsed.errors.front().toString());
        for (const scenario::Command &command : parsed.scenario.commands) {
            if (!isSetupLine(command.action))
                throw ServerError(Kind::Configuration,
                                  m_config.marketFile + ":" +
                                      std::to_string(command.location.line) +
                                      ": error: a served scenario takes only setup lines " +
                                      "(instruments, accounts, limits, status, kill switches); "
                                      "remote traders send the orders");
        }
        const std::set<InstrumentId> owned = ownedScenarioInstruments(m_config, parsed.scenario);
        if (!fresh) {
            log(LogLevel::Info, "the journal contains the scenario's setup already");
            return;
        }
        // Lines about an instrument another engine owns are that engine's to apply.
        for (const scenario::Command &command : parsed.scenario.commands) {
            const InstrumentId instrument = instrumentOfSetup(command.action);
            if (instrument.value() == 0 || owned.contains(instrument))
                applySetup(*m_engine, command.action, now);
        }
        log(LogLevel::Info, "market: scenario " + m_config.marketFile + ", " +
                                "instruments: " + std::to_string(m_engine->instruments().size()));
        return;
    }

    AgentMarket::Options options;
    std::uint64_t seed = m_config.seed;
    if (m_config.market == ServedMarket::Training) {
        const training::TrainingParseResult parsed =
            training::loadTrainingScenario(m_config.marketFile);
        if (!parsed.ok())
            throw ServerError(Kind::Configuration, parsed.errors.front().toString());
        options = parsed.scenario.options;
        if (!m_config.seedGiven)
            seed = parsed.scenario.seed;
        if (parsed.scenario.lengthNanoseconds != 0)
            m_marketEnd = Timestamp{options.startTime.value() + parsed.scenario.lengthNanoseconds};
        // A continued training market keeps to market time: its clock starts just after the
        // journal's last event, and the scheduled events before that do not fire again.
        if (!fresh) {
            const std::optional<Timestamp> last = lastEventTime(m_config.journal);
            if (!last)
                throw ServerError(Kind::Journal, m_config.journal +
                                                     ": cannot read the time of the last event "
                                                     "to continue the training market");
            options.startTime = Timestamp{last->value() + 1};
        }
    } else {
        options.startTime = now;
    }
    keepOwnedInstruments(m_config, options,
                         m_config.market == ServedMarket::Training
                             ? "training scenario " + m_config.marketFile
                             : std::string("simulation market"));

    if (fresh) {
        m_market = std::make_unique<AgentMarket>(*m_engine, seed, options);
    } else {
        // The continued market's clock starts after the journal's last event. The seed mixes in
        // the sequence number, so a restart does not repeat the flow of the run before.
        m_market = AgentMarket::resume(*m_engine, seed ^ m_engine->lastSequence(), options);
        if (!m_market)
            throw ServerError(Kind::Journal, m_config.journal +
                                                 ": the journal's engine does not trade the "
                                                 "agent market's instruments; give another "
                                                 "journal file");
    }
    m_marketAnchor = m_market->time().value();
    const std::string kind = m_config.market == ServedMarket::Training
                                 ? "training " + m_config.marketFile
                                 : std::string("simulation");
    log(LogLevel::Info, "market: " + kind + ", seed " + std::to_string(seed) +
                            ", instruments: " + std::to_string(m_market->instrumentCount()));
}

// Each account a trader key may trade needs to be open for the engine's risk checks and fills.
// One that the market did not open gets the terminal's default trader account (a margin account
// in USD with $1,000,000 and the default limits), under its own number.
void Server::openTraderAccounts()
{
    const session::TraderAccount defaults = session::traderAccounts().front();
    const Timestamp time = commandTime();
    for (const AccessEntry &entry : m_authenticator->accessList()->entries()) {
        for (const AccountId account : entry.accounts) {
            if (m_engine->portfolio().account(account) != nullptr)
                continue;
            AccountSettings settings = defaults.settings;
            settings.id = account;
            m_engine->openAccount(settings, defaults.openingBalance, time);
            m_engine->setRiskLimits(account, defaults.limits, time);
            log(LogLevel::Info, "opened account " + std::to_string(account.value()) +
                                    " with the default trader settings");
        }
    }
}

// The market's clock follows the wall clock from the anchor. A backlog of more than a second
// (a stalled machine) is dropped rather than burst through, as the terminal's simulation does.
void Server::runMarket()
{
    if (!m_market || m_market->isPaused() ||
        (m_marketEnd.value() != 0 && m_market->time() >= m_marketEnd))
        return;
    const Clock::time_point now = Clock::now();
    const std::int64_t elapsed =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - m_wallAnchor).count();
    const std::int64_t target = m_marketAnchor + elapsed;
    if (target - m_market->time().value() > 1'000'000'000) {
        m_wallAnchor = now;
        m_marketAnchor = m_market->time().value();
        return;
    }
    const Clock::time_point deadline = now + std::chrono::milliseconds(5);
    for (int steps = 1; m_market->time().value() < target; ++steps) {
        m_market->step();
        if (m_marketEnd.value() != 0 && m_market->time() >= m_marketEnd) {
            log(LogLevel::Info, "the training scenario reached its end; the market stops");
            return;
        }
        if (steps % 64 == 0 && Clock::now() >= deadline)
            return;
    }
}

// Remote commands run at the market's time, so that the engine's clock never goes back. A
// scenario market has no clock of its own, so its commands take the wall clock.
Timestamp Server::commandTime()
{
    const std::int64_t time = m_market ? m_market->time().value() : wallClockNanoseconds();
    m_lastCommandTime = std::max(m_lastCommandTime, time);
    return Timestamp{m_lastCommandTime};
}

} // namespace bourse::net
