#pragma once

// The records that make client order ids idempotent: one per (account, client order id) for
// every command that ever carried one, with the answer the engine gave it.

#include "events.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace bourse {

// The engine's answer to the first command with one (account, client order id): accepted, or
// rejected with a reason, the order id it got and the sequence number of the event that carried
// the answer (OrderAccepted or OrderRejected). The fingerprint identifies the accepted
// command's content. A rejection has none, because OrderRejected does not carry the command.
struct ClientOrderRecord {
    std::uint64_t clientOrderId = 0;
    std::uint64_t orderId = 0;
    SequenceNumber sequence = 0;
    std::uint64_t fingerprint = 0; // zero for a rejection
    std::uint32_t account = 0;
    std::uint8_t reason = 0; // zero for an acceptance, otherwise the RejectReason

    bool isAccepted() const { return reason == 0; }
};

static_assert(sizeof(ClientOrderRecord) == 40, "a record takes five words");

// The fingerprint of an accepted command's content: every field of its OrderAccepted but the
// ids (order, account, client order id), and the instrument it was accepted on. restore()
// computes it from the event, so a fingerprint depends only on what OrderAccepted records.
// A 64-bit hash: two different commands share one with a chance of about 2^-64.
std::uint64_t fingerprintOf(const OrderAccepted &accepted, InstrumentId instrument);

// The records, in the order they were made, and an index from (account, client order id) to
// them. Records are never removed, since an id stays used for the engine's whole life. They
// live in blocks of kBlockRecords, so none moves once made. The index is an open-addressing
// table with linear probing. Each slot has a record's number and 32 bits of its key's hash, so
// a probe rarely reads a record that does not match. Neither part allocates per record: a
// block holds 4096 records, and the index grows by doubling.
//
// Memory: a record takes 40 bytes, and the index 8 bytes a slot at between 1/4 and 1/2 full,
// so a record costs 56 to 72 bytes once the table holds a few blocks. While the index grows,
// the old and the new index exist together. At most 2^32 - 1 records fit.
class ClientOrderTable {
public:
    ClientOrderTable();
    ~ClientOrderTable();
    ClientOrderTable(const ClientOrderTable &) = delete;
    ClientOrderTable &operator=(const ClientOrderTable &) = delete;

    // The record of the key, or nullptr. The pointer stays valid until clear().
    const ClientOrderRecord *find(AccountId account, ClientOrderId clientOrderId) const;
    // Adds the record, or replaces the one with its key. Its client order id must not be zero.
    void assign(const ClientOrderRecord &record);
    // Adds the record and returns true, or returns false, changing nothing, when a record has
    // its key. Its client order id must not be zero.
    bool insert(const ClientOrderRecord &record);
    // Grows the index so that `count` records fit without a further growth.
    void reserve(std::size_t count);
    void clear();

    std::size_t size() const { return m_size; }
    std::size_t memoryBytes() const;

    // Calls function(const ClientOrderRecord &) for every record, in the order they were made.
    template <typename Function>
    void forEach(Function function) const
    {
        for (std::size_t i = 0; i < m_size; ++i)
            function(record(i));
    }

private:
    static constexpr std::size_t kBlockRecords = 4096;

    struct Slot {
        std::uint32_t number = 0; // the record's position plus one; zero marks an empty slot
        std::uint32_t tag = 0;    // the high half of the key's hash
    };

    const ClientOrderRecord &record(std::size_t position) const
    {
        return m_blocks[position / kBlockRecords][position % kBlockRecords];
    }
    ClientOrderRecord &record(std::size_t position)
    {
        return m_blocks[position / kBlockRecords][position % kBlockRecords];
    }
    // The slot of the key, or the empty slot where it would go.
    std::size_t slotOf(std::uint64_t hash, std::uint32_t account,
                       std::uint64_t clientOrderId) const;
    // The slot of the record's key, after growing the index when one more record would fill it
    // past half.
    Slot &slotFor(const ClientOrderRecord &record, std::uint64_t hash);
    void append(Slot &slot, const ClientOrderRecord &record, std::uint64_t hash);
    void rebuildIndex(std::size_t capacity);

    std::vector<std::unique_ptr<ClientOrderRecord[]>> m_blocks;
    std::vector<Slot> m_index;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

} // namespace bourse
