// Measures the engine's matching on a recorded command stream and prints the median rate.
// Each command is a 16-byte little-endian record: op (0 adds a limit order, 1 cancels), side
// (1 buy, 0 sell), two unused bytes, then order id, price in ticks and quantity as uint32.
//
//   bench_matching STREAM_FILE [RUNS]

#include "engine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace {

struct Command {
    bool cancel = false;
    bourse::Side side = bourse::Side::Buy;
    std::uint32_t id = 0;
    std::uint32_t price = 0;
    std::uint32_t quantity = 0;
};

std::uint32_t readUint32(const unsigned char *bytes)
{
    return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8 |
           static_cast<std::uint32_t>(bytes[2]) << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
}

bool readStream(const char *path, std::vector<Command> &commands)
{
    std::error_code code;
    const auto size = std::filesystem::file_size(path, code);
    if (code || size % 16 != 0) {
        std::fprintf(stderr, "bench_matching: %s: %s\n", path,
                     code ? code.message().c_str() : "size is not a multiple of 16 bytes");
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "bench_matching: cannot open %s (unpack .xz files with xz -dk)\n",
                     path);
        return false;
    }
    unsigned char record[16];
    while (in.read(reinterpret_cast<char *>(record), sizeof record)) {
        if (record[0] > 1 || record[1] > 1) {
            std::fprintf(stderr, "bench_matching: %s: invalid record %zu\n", path,
                         commands.size() + 1);
            return false;
        }
        commands.push_back(
            Command{record[0] == 1, record[1] == 1 ? bourse::Side::Buy : bourse::Side::Sell,
                    readUint32(record + 4), readUint32(record + 8), readUint32(record + 12)});
    }
    return true;
}

class TradeCounter : public bourse::EventHandler {
public:
    void onEvent(const bourse::Event &event) override
    {
        trades += std::holds_alternative<bourse::Trade>(event.payload);
    }
    std::uint64_t trades = 0;
};

struct Run {
    double seconds = 0;
    std::uint64_t trades = 0;
    std::size_t resting = 0;
};

Run runOnce(const std::vector<Command> &commands)
{
    bourse::Engine engine;
    TradeCounter counter;
    engine.addHandler(&counter);
    const bourse::Timestamp time{0};

    const auto start = std::chrono::steady_clock::now();
    for (const Command &command : commands) {
        if (command.cancel) {
            engine.cancel(bourse::OrderId{command.id}, time);
            continue;
        }
        engine.submit({bourse::OrderId{command.id}, command.side, bourse::OrderType::Limit,
                       bourse::Price{command.price}, bourse::Quantity{command.quantity}},
                      time);
    }
    const auto stop = std::chrono::steady_clock::now();
    return Run{std::chrono::duration<double>(stop - start).count(), counter.trades,
               engine.book().orderCount()};
}

// Returns 0 for anything but a whole number from 1 to 1000.
int parseRuns(const char *text)
{
    char *end = nullptr;
    const long runs = std::strtol(text, &end, 10);
    return *text && !*end && runs >= 1 && runs <= 1000 ? static_cast<int>(runs) : 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_matching STREAM_FILE [RUNS]\n");
        return 2;
    }
    const int runs = argc > 2 ? parseRuns(argv[2]) : 5;
    if (runs < 1) {
        std::fprintf(stderr, "bench_matching: invalid RUNS '%s': expected 1 to 1000\n", argv[2]);
        return 2;
    }
    std::vector<Command> commands;
    if (!readStream(argv[1], commands))
        return 1;

    std::vector<double> rates;
    Run last;
    for (int i = 0; i < runs; ++i) {
        last = runOnce(commands);
        rates.push_back(static_cast<double>(commands.size()) / last.seconds);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("stream: %s\ncommands: %zu\ntrades: %llu\nresting orders: %zu\n", argv[1],
                commands.size(), static_cast<unsigned long long>(last.trades), last.resting);
    std::printf("median over %d runs: %.0f commands per second (min %.0f, max %.0f)\n", runs,
                rates[rates.size() / 2], rates.front(), rates.back());
    return 0;
}
