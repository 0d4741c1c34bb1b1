// Idempotent client order ids: the table of answers, the fingerprint of a command, and the
// engine's use of both when an order arrives, when a repeat arrives and when events are restored.

#include "engine_idempotency.h"

#include "engine.h"
#include "engine_state.h"

namespace bourse {

using namespace engine_detail;

namespace {

// The finalizer of SplitMix64: a bijective mix of 64 bits.
std::uint64_t mix(std::uint64_t value)
{
    value ^= value >> 30;
    value *= 0xbf58476d1ce4e5b9ULL;
    value ^= value >> 27;
    value *= 0x94d049bb133111ebULL;
    value ^= value >> 31;
    return value;
}

std::uint64_t word(std::int64_t value)
{
    return static_cast<std::uint64_t>(value);
}

} // namespace

std::uint64_t fingerprintOf(const OrderAccepted &accepted, InstrumentId instrument)
{
    // The one-byte fields share a word, so each field keeps its own position in the hash.
    const std::uint64_t small =
        std::uint64_t{static_cast<std::uint8_t>(accepted.side)} |
        std::uint64_t{static_cast<std::uint8_t>(accepted.type)} << 8 |
        std::uint64_t{static_cast<std::uint8_t>(accepted.timeInForce)} << 16 |
        std::uint64_t{static_cast<std::uint8_t>(accepted.liquidity)} << 24 |
        std::uint64_t{static_cast<std::uint8_t>(accepted.selfTradePrevention)} << 32 |
        std::uint64_t{instrument.value()} << 40;
    std::uint64_t hash = 0x243f6a8885a308d3ULL;
    for (std::uint64_t field :
         {small, word(accepted.limit.value()), word(accepted.quantity.value()),
          word(accepted.stopPrice.value()), word(accepted.displayQuantity.value()),
          word(accepted.protectionPrice.value()), word(accepted.expiry.value())})
        hash = mix(hash ^ field) + 0x9e3779b97f4a7c15ULL;
    return hash;
}

// --- ClientOrderTable ---

namespace {

constexpr std::size_t kInitialSlots = 64;

std::uint64_t keyHash(std::uint32_t account, std::uint64_t clientOrderId)
{
    return mix((std::uint64_t{account} * 0x9e3779b97f4a7c15ULL) ^ clientOrderId);
}

} // namespace

ClientOrderTable::ClientOrderTable() = default;

ClientOrderTable::~ClientOrderTable() = default;

std::size_t ClientOrderTable::slotOf(std::uint64_t hash, std::uint32_t account,
                                     std::uint64_t clientOrderId) const
{
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    for (std::size_t slot = static_cast<std::size_t>(hash) & m_mask;; slot = (slot + 1) & m_mask) {
        const Slot &entry = m_index[slot];
        if (entry.number == 0)
            return slot;
        if (entry.tag != tag)
            continue;
        const ClientOrderRecord &candidate = record(entry.number - 1);
        if (candidate.clientOrderId == clientOrderId && candidate.account == account)
            return slot;
    }
}

const ClientOrderRecord *ClientOrderTable::find(AccountId account,
                                                ClientOrderId clientOrderId) const
{
    if (m_size == 0)
        return nullptr;
    const std::size_t slot = slotOf(keyHash(account.value(), clientOrderId.value()),
                                    account.value(), clientOrderId.value());
    const std::uint32_t number = m_index[slot].number;
    return number != 0 ? &record(number - 1) : nullptr;
}

ClientOrderTable::Slot &ClientOrderTable::slotFor(const ClientOrderRecord &record,
                                                  std::uint64_t hash)
{
    // At most half full, so that probes stay short and always end at an empty slot.
    if (2 * (m_size + 1) > m_index.size())
        rebuildIndex(m_index.empty() ? kInitialSlots : 2 * m_index.size());
    return m_index[slotOf(hash, record.account, record.clientOrderId)];
}

void ClientOrderTable::append(Slot &slot, const ClientOrderRecord &added, std::uint64_t hash)
{
    if (m_size == m_blocks.size() * kBlockRecords)
        m_blocks.push_back(std::make_unique<ClientOrderRecord[]>(kBlockRecords));
    record(m_size) = added;
    ++m_size;
    slot = Slot{static_cast<std::uint32_t>(m_size), static_cast<std::uint32_t>(hash >> 32)};
}

void ClientOrderTable::assign(const ClientOrderRecord &added)
{
    const std::uint64_t hash = keyHash(added.account, added.clientOrderId);
    Slot &slot = slotFor(added, hash);
    if (slot.number != 0)
        record(slot.number - 1) = added;
    else
        append(slot, added, hash);
}

bool ClientOrderTable::insert(const ClientOrderRecord &added)
{
    const std::uint64_t hash = keyHash(added.account, added.clientOrderId);
    Slot &slot = slotFor(added, hash);
    if (slot.number != 0)
        return false;
    append(slot, added, hash);
    return true;
}

void ClientOrderTable::reserve(std::size_t count)
{
    std::size_t capacity = m_index.empty() ? kInitialSlots : m_index.size();
    while (2 * count > capacity)
        capacity *= 2;
    if (capacity != m_index.size())
        rebuildIndex(capacity);
}

void ClientOrderTable::clear()
{
    m_blocks.clear();
    m_index.assign(m_index.size(), Slot{});
    m_size = 0;
}

std::size_t ClientOrderTable::memoryBytes() const
{
    return m_blocks.size() * kBlockRecords * sizeof(ClientOrderRecord) +
           m_blocks.capacity() * sizeof(m_blocks[0]) + m_index.capacity() * sizeof(Slot);
}

// Reads the records in order, so that the rebuild streams through them.
void ClientOrderTable::rebuildIndex(std::size_t capacity)
{
    m_index.assign(capacity, Slot{});
    m_mask = capacity - 1;
    for (std::size_t position = 0; position < m_size; ++position) {
        const ClientOrderRecord &entry = record(position);
        const std::uint64_t hash = keyHash(entry.account, entry.clientOrderId);
        std::size_t slot = static_cast<std::size_t>(hash) & m_mask;
        while (m_index[slot].number != 0)
            slot = (slot + 1) & m_mask;
        m_index[slot] =
            Slot{static_cast<std::uint32_t>(position + 1), static_cast<std::uint32_t>(hash >> 32)};
    }
}

// --- Engine ---

std::optional<ClientOrderAnswer> Engine::clientOrderAnswer(AccountId account,
                                                           ClientOrderId clientOrderId) const
{
    const ClientOrderRecord *record = m_clientOrders.find(account, clientOrderId);
    if (!record)
        return std::nullopt;
    ClientOrderAnswer answer;
    answer.id = OrderId{record->orderId};
    answer.outcome =
        record->isAccepted() ? ClientOrderOutcome::Accepted : ClientOrderOutcome::Rejected;
    answer.reason = static_cast<RejectReason>(record->reason);
    answer.sequence = record->sequence;
    return answer;
}

std::size_t Engine::clientOrderCount() const
{
    return m_clientOrders.size();
}

// Records the answer to a command with a client order id, in the state the event that carries
// it will describe: its sequence number is the next one.
void Engine::recordAnswer(AccountId account, ClientOrderId clientOrderId, OrderId id,
                          std::uint64_t fingerprint, std::uint8_t reason)
{
    m_clientOrders.assign(ClientOrderRecord{clientOrderId.value(), id.value(), m_sequence + 1,
                                            fingerprint, account.value(), reason});
}

void Engine::recordAccepted(const NewOrder &request, OrderId id, InstrumentId instrument)
{
    recordAnswer(request.account, request.clientOrderId, id,
                 fingerprintOf(acceptedFrom(request, id), instrument), 0);
}

// Answers a repeat of a recorded (account, client order id) and returns the id submit()
// returns, or returns nothing when the order's client order id is new.
std::optional<OrderId> Engine::answerIfRepeat(const NewOrder &request, Timestamp time)
{
    const ClientOrderRecord *record = m_clientOrders.find(request.account, request.clientOrderId);
    if (!record)
        return std::nullopt;
    return answerRepeat(*record, request, time);
}

// A repeat of a recorded (account, client order id). The same command again, or any command
// after a rejection, gets the first answer and changes nothing, not even the expiry of GTD
// orders that its time has reached. Other content is rejected as DuplicateClientOrderId.
OrderId Engine::answerRepeat(const ClientOrderRecord &record, const NewOrder &request,
                             Timestamp time)
{
    if (!record.isAccepted() || record.fingerprint == requestFingerprint(request)) {
        const OrderId answered{record.orderId};
        endCommand();
        return answered;
    }

    expireDue(time);
    const OrderId id = request.id.value() != 0 ? request.id : OrderId{m_highestOrderId + 1};
    reject(request.instrument, time,
           OrderRejected{id, RejectReason::DuplicateClientOrderId, request.clientOrderId,
                         request.account});
    endCommand();
    return id;
}

// The fingerprint the request would have once accepted. An instrument id of zero names the
// primary instrument, as it does for the order.
std::uint64_t Engine::requestFingerprint(const NewOrder &request) const
{
    const InstrumentState *instrument = findInstrument(request.instrument);
    const InstrumentId resolved = instrument ? instrument->definition.id : request.instrument;
    return fingerprintOf(acceptedFrom(request, request.id), resolved);
}

// A rejection answers its client order id when it is the first command with that id. A
// rejected replace names the client order id of the order it changes, which an acceptance has
// recorded already, and DuplicateClientOrderId answers a repeat.
RestoreResult Engine::restoreRejected(const OrderRejected &rejected)
{
    if (rejected.clientOrderId.value() == 0 ||
        rejected.reason == RejectReason::DuplicateClientOrderId ||
        m_clientOrders.find(rejected.account, rejected.clientOrderId))
        return RestoreResult::Restored;
    recordAnswer(rejected.account, rejected.clientOrderId, rejected.id, 0,
                 static_cast<std::uint8_t>(rejected.reason));
    return RestoreResult::Restored;
}

} // namespace bourse
