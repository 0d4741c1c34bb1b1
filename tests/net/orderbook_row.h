#pragma once

// The book that a LOBSTER orderbook file records, read from its columns, for tests that compare
// a rebuilt book with it.

#include "order_book.h"

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// Returns the levels of the last row of a LOBSTER orderbook file, read here from its columns (ask
// price, ask size, bid price, bid size per level) rather than with lobster::OrderbookReader, so
// that the expected book does not come from the code under test. Empty levels (size 0) are left
// out. Bids then asks, best first.
inline std::vector<bourse::LevelSummary> lastOrderbookRow(const std::string &path)
{
    std::ifstream file(path);
    std::string line;
    std::string last;
    while (std::getline(file, line)) {
        if (!line.empty())
            last = line;
    }
    std::vector<std::int64_t> columns;
    std::stringstream row(last);
    for (std::string cell; std::getline(row, cell, ',');)
        columns.push_back(std::stoll(cell));

    std::vector<bourse::LevelSummary> bids;
    std::vector<bourse::LevelSummary> asks;
    for (std::size_t at = 0; at + 3 < columns.size(); at += 4) {
        if (columns[at + 1] > 0)
            asks.push_back({bourse::Price{columns[at]}, bourse::Quantity{columns[at + 1]}, 0});
        if (columns[at + 3] > 0)
            bids.push_back({bourse::Price{columns[at + 2]}, bourse::Quantity{columns[at + 3]}, 0});
    }
    bids.insert(bids.end(), asks.begin(), asks.end());
    return bids;
}
