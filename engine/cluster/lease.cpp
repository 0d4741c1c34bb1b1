#include "lease.h"

#include "replicated_batch.h"

#include <nats/nats.h>

#include <charconv>
#include <sstream>

namespace bourse::cluster {

namespace {

std::string lastErrorText(natsStatus status)
{
    const char *last = nats_GetLastError(nullptr);
    if (last != nullptr && *last != '\0')
        return last;
    return natsStatus_GetText(status);
}

std::string leaseValue(const LeaseRecord &record)
{
    char token[17] = {};
    std::to_chars(token, token + 16, record.token, 16);
    return std::to_string(record.epoch) + " " + record.holder + " " + token;
}

// The same write: the same epoch, holder and run token. Two engines may share a name by mistake,
// but not a token.
bool sameWrite(const LeaseRecord &left, const LeaseRecord &right)
{
    return left.epoch == right.epoch && left.holder == right.holder && left.token == right.token;
}

} // namespace

std::optional<LeaseRecord> parseLeaseValue(const std::string &text)
{
    std::istringstream words(text);
    std::string epoch;
    std::string holder;
    std::string token;
    std::string extra;
    if (!(words >> epoch >> holder) || (words >> token && words >> extra))
        return std::nullopt;
    LeaseRecord record;
    const char *epochEnd = epoch.data() + epoch.size();
    const auto [end, code] = std::from_chars(epoch.data(), epochEnd, record.epoch);
    if (code != std::errc{} || end != epochEnd)
        return std::nullopt;
    if (!token.empty()) {
        const char *tokenEnd = token.data() + token.size();
        const auto [stop, tokenCode] = std::from_chars(token.data(), tokenEnd, record.token, 16);
        if (tokenCode != std::errc{} || stop != tokenEnd)
            return std::nullopt;
    }
    record.holder = holder;
    return record;
}

struct Lease::Bucket {
    kvStore *store = nullptr;
    ~Bucket() { kvStore_Destroy(store); }

    enum class Read : std::uint8_t { Found, Missing, Failed };

    // Reads the key into `record`. A value that does not parse counts as epoch 0 without a
    // holder, so that a contender can still replace it.
    Read get(const std::string &key, LeaseRecord &record, std::string &error) const
    {
        kvEntry *entry = nullptr;
        const natsStatus status = kvStore_Get(&entry, store, key.c_str());
        if (status == NATS_NOT_FOUND)
            return Read::Missing;
        if (status != NATS_OK) {
            error = "cannot read the lease " + key + ": " + lastErrorText(status);
            return Read::Failed;
        }
        const auto *data = static_cast<const char *>(kvEntry_Value(entry));
        const std::string text(data, static_cast<std::size_t>(kvEntry_ValueLen(entry)));
        record = parseLeaseValue(text).value_or(LeaseRecord{});
        record.revision = kvEntry_Revision(entry);
        kvEntry_Destroy(entry);
        return Read::Found;
    }

    // Writes the key when its revision is still `last` (0: when it does not exist). Returns the
    // new revision, or 0 with `error` set.
    std::uint64_t write(const std::string &key, const std::string &value, std::uint64_t last,
                        std::string &error) const
    {
        std::uint64_t revision = 0;
        const int length = static_cast<int>(value.size());
        const natsStatus status =
            last == 0 ? kvStore_Create(&revision, store, key.c_str(), value.data(), length)
                      : kvStore_Update(&revision, store, key.c_str(), value.data(), length, last);
        if (status != NATS_OK) {
            error = "cannot write the lease " + key + ": " + lastErrorText(status);
            return 0;
        }
        return revision;
    }
};

std::unique_ptr<Lease> Lease::open(const LeaseSettings &settings, LogSink log, std::string &error)
{
    NatsStream::Connected connected = NatsStream::connect(settings.connection, log);
    if (!connected.stream) {
        error = connected.error;
        return nullptr;
    }
    auto bucket = std::make_unique<Bucket>();
    jsCtx *context = connected.stream->jetStream();
    natsStatus status = js_KeyValue(&bucket->store, context, settings.bucket.c_str());
    if (status == NATS_NOT_FOUND) {
        // One value a key: the lease needs only the current one. A second engine that creates the
        // same bucket at the same moment gets the same configuration back, not an error.
        kvConfig config;
        kvConfig_Init(&config);
        config.Bucket = settings.bucket.c_str();
        config.History = 1;
        config.StorageType = js_FileStorage;
        config.Replicas = settings.replicas;
        status = js_CreateKeyValue(&bucket->store, context, &config);
    }
    if (status != NATS_OK) {
        error =
            "cannot open the key-value bucket " + settings.bucket + ": " + lastErrorText(status);
        return nullptr;
    }
    return std::unique_ptr<Lease>(
        new Lease(settings, std::move(log), std::move(connected.stream), std::move(bucket)));
}

Lease::Lease(LeaseSettings settings, LogSink log, std::unique_ptr<NatsStream> connection,
             std::unique_ptr<Bucket> bucket)
    : m_settings(std::move(settings))
    , m_token(drawWriterToken())
    , m_log(std::move(log))
    , m_connection(std::move(connection))
    , m_bucket(std::move(bucket))
{
}

Lease::~Lease()
{
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void Lease::log(LogLevel level, const std::string &line) const
{
    if (m_log)
        m_log(level, line);
}

LeaseAttempt Lease::tryAcquire(MissingLease missing, std::string &error)
{
    LeaseRecord current;
    const Bucket::Read read = m_bucket->get(m_settings.key, current, error);
    if (read == Bucket::Read::Failed)
        return LeaseAttempt::Failed;
    if (read == Bucket::Read::Missing && missing == MissingLease::Wait)
        return LeaseAttempt::Waiting;

    const Clock::time_point now = Clock::now();
    if (read == Bucket::Read::Found) {
        if (!m_seen || m_seen->revision != current.revision) {
            m_seen = current;
            m_seenSince = now;
            return LeaseAttempt::Waiting;
        }
        if (now - m_seenSince < m_settings.timeout)
            return LeaseAttempt::Waiting;
    }

    LeaseRecord taken{current.epoch + 1, m_settings.holder, m_token, 0};
    std::string lost;
    taken.revision = m_bucket->write(m_settings.key, leaseValue(taken),
                                     read == Bucket::Read::Found ? current.revision : 0, lost);
    if (taken.revision == 0)
        taken.revision = revisionOfOwnWrite(taken);
    if (taken.revision == 0) {
        // Another contender wrote first; its write shows as a new revision on the next read.
        log(LogLevel::Info, lost + "; another engine may have written it first");
        return LeaseAttempt::Waiting;
    }
    if (!confirmWrite(taken))
        return LeaseAttempt::Waiting;
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_record = taken;
    m_held = true;
    m_validUntil = now + m_settings.timeout / 2;
    return LeaseAttempt::Held;
}

// Returns the key's revision when it contains `written`, which a write whose acknowledgement
// timed out may have stored all the same; 0 otherwise.
std::uint64_t Lease::revisionOfOwnWrite(const LeaseRecord &written) const
{
    LeaseRecord current;
    std::string error;
    if (m_bucket->get(m_settings.key, current, error) != Bucket::Read::Found)
        return 0;
    return sameWrite(current, written) ? current.revision : 0;
}

// Reads the key again once a rival's compare-and-set on the same revision would have landed, and
// returns whether `written` is still there. Otherwise the rival's write stays, and this engine
// waits for it as for any holder.
bool Lease::confirmWrite(const LeaseRecord &written)
{
    std::this_thread::sleep_for(m_settings.timeout / 10);
    LeaseRecord current;
    std::string error;
    if (m_bucket->get(m_settings.key, current, error) != Bucket::Read::Found)
        return false;
    if (current.revision == written.revision && sameWrite(current, written))
        return true;
    log(LogLevel::Info, "the lease " + m_settings.key + " was written again by " + current.holder +
                            " under epoch " + std::to_string(current.epoch) +
                            " just after this engine took it; waiting");
    m_seen = current;
    m_seenSince = Clock::now();
    return false;
}

bool Lease::acquire(MissingLease missing, const std::atomic<bool> &stop)
{
    std::string reported;
    std::optional<LeaseRecord> reportedHolder;
    while (!stop.load()) {
        std::string error;
        const LeaseAttempt attempt = tryAcquire(missing, error);
        if (attempt == LeaseAttempt::Held)
            return true;
        if (attempt == LeaseAttempt::Failed && error != reported)
            log(LogLevel::Warning, error + "; retrying");
        reported = error;
        // The log names the holder at once, for an operator who started a second primary by
        // mistake.
        if (m_seen && (!reportedHolder || reportedHolder->epoch != m_seen->epoch ||
                       reportedHolder->holder != m_seen->holder)) {
            log(LogLevel::Info, "waiting for the lease of " + m_settings.key + ": held by " +
                                    m_seen->holder + " under epoch " +
                                    std::to_string(m_seen->epoch));
            reportedHolder = m_seen;
        }
        std::this_thread::sleep_for(renewInterval());
    }
    return false;
}

void Lease::startRenewing(LossHandler onLost)
{
    m_thread = std::thread([this, onLost = std::move(onLost)] { renew(onLost); });
}

void Lease::renew(const LossHandler &onLost)
{
    Clock::time_point lastRenewal = Clock::now();
    std::string reported;
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            if (m_wake.wait_for(lock, renewInterval(), [&] { return m_stop; }))
                return;
        }
        const Clock::time_point started = Clock::now();
        std::optional<LeaseLoss> loss;
        LeaseRecord current;
        if (renewOnce(loss, current)) {
            lastRenewal = started;
            continue;
        }
        if (!loss && Clock::now() - lastRenewal >= m_settings.timeout)
            loss = LeaseLoss::NotRenewed;
        if (loss) {
            {
                const std::lock_guard<std::mutex> lock(m_mutex);
                m_held = false;
                m_lost = Lost{*loss, current};
            }
            if (onLost)
                onLost(*loss, current);
            return;
        }
    }
}

// Writes the held record again under its last revision. Returns false on a failure, with
// `loss` set when the key shows that another engine took the lease.
bool Lease::renewOnce(std::optional<LeaseLoss> &loss, LeaseRecord &current)
{
    LeaseRecord held = record();
    const Clock::time_point started = Clock::now();
    std::string error;
    const std::uint64_t revision =
        m_bucket->write(m_settings.key, leaseValue(held), held.revision, error);
    if (revision != 0) {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_record.revision = revision;
        m_validUntil = started + m_settings.timeout / 2;
        return true;
    }
    // A failed compare-and-set and a failed request look alike, so the key decides.
    std::string readError;
    if (m_bucket->get(m_settings.key, current, readError) == Bucket::Read::Found &&
        current.revision != held.revision) {
        std::uint64_t keptRevision = 0;
        const bool tie =
            !sameWrite(current, held) && current.epoch == held.epoch && m_ownsStream.load();
        if (sameWrite(current, held)) {
            // The write was stored although its acknowledgement timed out.
            keptRevision = current.revision;
        } else if (tie) {
            // A rival's write under the same epoch. This engine's fence counts in the stream, so
            // it serves and writes its record back; the rival's renewal then fails.
            log(LogLevel::Warning, "the lease " + m_settings.key + " was also written by " +
                                       current.holder + " under epoch " +
                                       std::to_string(current.epoch) + "; this engine's fence " +
                                       "counts in the stream, so it keeps the lease");
            keptRevision =
                m_bucket->write(m_settings.key, leaseValue(held), current.revision, error);
        }
        if (keptRevision != 0) {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_record.revision = keptRevision;
            m_validUntil = started + m_settings.timeout / 2;
            return true;
        }
        // A failed write-back is retried at the next renewal, as any failed request.
        if (!tie && !sameWrite(current, held) && current.epoch >= held.epoch) {
            loss = LeaseLoss::TakenOver;
            return false;
        }
    }
    log(LogLevel::Warning, error + "; retrying");
    return false;
}

bool Lease::valid() const
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    return m_held && Clock::now() < m_validUntil;
}

std::optional<Lease::Lost> Lease::lost() const
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    return m_lost;
}

LeaseRecord Lease::record() const
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_held && m_seen)
        return *m_seen;
    return m_record;
}

} // namespace bourse::cluster
