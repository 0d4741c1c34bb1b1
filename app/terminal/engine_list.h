#pragma once

// The engines of a market split by instrument, as an operator hands them to traders: a text file
// with one engine a line, read by `bourse --engines FILE`:
//
//     # engine NAME ORDER-ENTRY-ENDPOINT[,STANDBY-ENDPOINT...] SERVER-KEY
//     engine equities tcp://127.0.0.1:7401,tcp://127.0.0.1:7501 keys/equities.pub
//     engine futures  tcp://127.0.0.1:7411 keys/futures.pub
//
// `#` starts a comment. The server key is the engine's .pub file, relative to the file's folder,
// or its 40-character key. Publications and snapshots are on the two ports after each
// order-entry one. A standby endpoint, with no space around its comma, is a standby server of
// the engine, which the terminal moves to when the engine stops responding. The file names no
// instruments: the terminal learns each engine's from what it publishes.

#include "remote_settings.h"

#include <QString>

#include <variant>
#include <vector>

namespace bourse::terminal {

struct EngineEntry {
    QString name;
    bourse::ui::RemoteSettings settings; // without the trader's key pair and accounts
    QString serverKeyFile; // the .pub file settings.serverKey names, empty for a pasted key
    int line = 0;          // the line of the list, from 1
};

// Parses the text of an engine list. Returns the engines in file order, or the first error as
// "FILE:LINE: error: MESSAGE", naming `fileName`.
std::variant<std::vector<EngineEntry>, QString> parseEngineList(const QString &text,
                                                                const QString &fileName);
// Reads and parses the list at `path`, then reads each engine's server key file, so that a
// missing or malformed key is reported at its line, in the same form.
std::variant<std::vector<EngineEntry>, QString> readEngineList(const QString &path);

} // namespace bourse::terminal
