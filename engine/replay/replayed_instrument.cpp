#include "replayed_instrument.h"

#include <algorithm>

namespace bourse::replay {

namespace {

bool continuesCharacter(char byte)
{
    return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

} // namespace

InstrumentDefinition replayedInstrument(std::string_view symbol, int priceDecimals,
                                        int quantityDecimals)
{
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    std::size_t length = std::min(symbol.size(), definition.symbol.size());
    // The byte after the cut continuing a character means the cut splits it: the whole
    // character goes.
    if (length < symbol.size()) {
        while (length > 0 && continuesCharacter(symbol[length]))
            --length;
    }
    std::copy_n(symbol.begin(), length, definition.symbol.begin());
    definition.priceDecimals = static_cast<std::uint8_t>(priceDecimals);
    definition.quantityDecimals = static_cast<std::uint8_t>(quantityDecimals);
    return definition;
}

} // namespace bourse::replay
