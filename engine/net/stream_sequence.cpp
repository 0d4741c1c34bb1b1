#include "stream_sequence.h"

namespace bourse::net {

SequenceVerdict StreamSequence::accept(std::uint64_t sequence)
{
    if (sequence <= m_last)
        return SequenceVerdict::Duplicate;
    if (sequence != m_last + 1)
        return SequenceVerdict::Gap;
    m_last = sequence;
    return SequenceVerdict::Apply;
}

} // namespace bourse::net
