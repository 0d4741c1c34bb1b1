#include "nats_stream.h"

#include "replicated_batch.h"

#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <sstream>

namespace bourse::cluster {

namespace {

std::string describe(natsStatus status, jsErrCode code = static_cast<jsErrCode>(0))
{
    std::string text = natsStatus_GetText(status);
    const char *last = nats_GetLastError(nullptr);
    if (last != nullptr && *last != '\0')
        text = last;
    if (code != 0)
        text += " (JetStream error " + std::to_string(static_cast<int>(code)) + ")";
    return text;
}

} // namespace

std::string streamSubject(const std::string &stream)
{
    return "bourse.journal." + stream;
}

std::vector<std::string> splitServerList(const std::string &list)
{
    std::vector<std::string> servers;
    std::stringstream input(list);
    std::string part;
    while (std::getline(input, part, ',')) {
        part.erase(0, part.find_first_not_of(" \t"));
        part.erase(part.find_last_not_of(" \t") + 1);
        if (!part.empty())
            servers.push_back(part);
    }
    return servers;
}

struct NatsStream::State {
    StreamSettings settings;
    std::string subject;
    LogSink log;
    PublishHandler onPublished;
    natsOptions *options = nullptr;
    natsConnection *connection = nullptr;
    jsCtx *context = nullptr;
    std::atomic<bool> closing{false}; // set while closing, when a disconnection is expected

    void write(LogLevel level, const std::string &line) const
    {
        if (log)
            log(level, line);
    }

    ~State()
    {
        closing = true;
        jsCtx_Destroy(context);
        if (connection != nullptr) {
            natsConnection_Close(connection);
            natsConnection_Destroy(connection);
        }
        natsOptions_Destroy(options);
    }
};

namespace {

void onDisconnected(natsConnection *, void *closure)
{
    const auto *state = static_cast<const NatsStream::State *>(closure);
    if (!state->closing.load())
        state->write(LogLevel::Warning, "lost the connection to NATS; reconnecting");
}

void onReconnected(natsConnection *connection, void *closure)
{
    char url[256] = {};
    natsConnection_GetConnectedUrl(connection, url, sizeof url);
    static_cast<const NatsStream::State *>(closure)->write(
        LogLevel::Info, std::string("reconnected to NATS at ") + url);
}

void onConnected(natsConnection *connection, void *closure)
{
    char url[256] = {};
    natsConnection_GetConnectedUrl(connection, url, sizeof url);
    static_cast<const NatsStream::State *>(closure)->write(
        LogLevel::Info, std::string("connected to NATS at ") + url);
}

void onAcknowledgement(jsCtx *, natsMsg *message, jsPubAck *ack, jsPubAckErr *failure,
                       void *closure)
{
    const auto *state = static_cast<const NatsStream::State *>(closure);
    if (state->onPublished) {
        PublishOutcome outcome;
        const auto *data = reinterpret_cast<const std::uint8_t *>(natsMsg_GetData(message));
        const auto length = static_cast<std::size_t>(std::max(natsMsg_GetDataLength(message), 0));
        outcome.header.assign(data, data + std::min(length, kBatchHeaderSize));
        if (ack != nullptr) {
            outcome.stored = true;
            outcome.duplicate = ack->Duplicate;
            outcome.streamSequence = ack->Sequence;
        } else if (failure != nullptr) {
            outcome.error =
                failure->ErrText != nullptr ? failure->ErrText : natsStatus_GetText(failure->Err);
            if (failure->ErrCode != 0)
                outcome.error +=
                    " (JetStream error " + std::to_string(static_cast<int>(failure->ErrCode)) + ")";
        }
        state->onPublished(outcome);
    }
    natsMsg_Destroy(message);
}

} // namespace

NatsStream::Connected NatsStream::connect(const StreamSettings &settings, LogSink log,
                                          PublishHandler onPublished)
{
    auto state = std::make_unique<State>();
    state->settings = settings;
    state->subject = streamSubject(settings.stream);
    state->log = std::move(log);
    state->onPublished = std::move(onPublished);
    const auto failed = [](std::string what) { return Connected{nullptr, std::move(what)}; };
    if (settings.servers.empty())
        return failed("no NATS server given");

    std::vector<const char *> urls;
    for (const std::string &server : settings.servers)
        urls.push_back(server.c_str());
    natsStatus status = natsOptions_Create(&state->options);
    natsOptions *options = state->options;
    if (status == NATS_OK)
        status = natsOptions_SetServers(options, urls.data(), static_cast<int>(urls.size()));
    if (status == NATS_OK)
        status = natsOptions_SetName(options, "bourse-engine");
    if (status == NATS_OK)
        status = natsOptions_SetMaxReconnect(options, -1);
    if (status == NATS_OK)
        status = natsOptions_SetReconnectWait(options, 250);
    if (status == NATS_OK)
        status = natsOptions_SetTimeout(options, settings.requestTimeout.count());
    if (status == NATS_OK)
        status = natsOptions_SetDisconnectedCB(options, onDisconnected, state.get());
    if (status == NATS_OK)
        status = natsOptions_SetReconnectedCB(options, onReconnected, state.get());
    if (status == NATS_OK)
        status = natsOptions_SetRetryOnFailedConnect(options, true, onConnected, state.get());
    if (status != NATS_OK)
        return failed("invalid NATS options: " + describe(status));

    std::string serverList;
    for (const std::string &server : settings.servers)
        serverList += (serverList.empty() ? "" : ",") + server;
    status = natsConnection_Connect(&state->connection, options);
    if (status == NATS_OK) {
        onConnected(state->connection, state.get());
    } else if (status == NATS_NOT_YET_CONNECTED) {
        // Logged once for the server list: the client retries in the background without a
        // callback per attempt, and onConnected() logs when one succeeds.
        state->write(LogLevel::Warning, "cannot connect to " + serverList + ": " +
                                            describe(status) + "; retrying in the background");
    } else {
        return failed("cannot connect to " + serverList + ": " + describe(status));
    }

    jsOptions contextOptions;
    jsOptions_Init(&contextOptions);
    contextOptions.Wait = settings.requestTimeout.count();
    // The replicator bounds its own publications in flight; the client's bound only catches a
    // caller that does not.
    contextOptions.PublishAsync.MaxPending = 1 << 16;
    contextOptions.PublishAsync.AckHandler = onAcknowledgement;
    contextOptions.PublishAsync.AckHandlerClosure = state.get();
    status = natsConnection_JetStream(&state->context, state->connection, &contextOptions);
    if (status != NATS_OK)
        return failed("cannot use JetStream: " + describe(status));
    return Connected{std::unique_ptr<NatsStream>(new NatsStream(std::move(state))), {}};
}

NatsStream::NatsStream(std::unique_ptr<State> state)
    : m_state(std::move(state))
{
}

NatsStream::~NatsStream() = default;

void NatsStream::close()
{
    m_state->closing = true;
    if (m_state->connection != nullptr)
        natsConnection_Close(m_state->connection);
}

const StreamSettings &NatsStream::settings() const
{
    return m_state->settings;
}

jsCtx *NatsStream::jetStream() const
{
    return m_state->context;
}

std::optional<std::string> NatsStream::ensureStream()
{
    std::string error;
    bool notFound = false;
    if (state(error, &notFound))
        return std::nullopt;
    if (!notFound)
        return error;

    const char *subjects[] = {m_state->subject.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = m_state->settings.stream.c_str();
    config.Description = "Bourse journal events, a run of consecutive events per message";
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = m_state->settings.replicas;
    config.Duplicates =
        std::chrono::duration_cast<std::chrono::nanoseconds>(m_state->settings.duplicateWindow)
            .count();
    jsStreamInfo *info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status = js_AddStream(&info, m_state->context, &config, nullptr, &code);
    jsStreamInfo_Destroy(info);
    if (status != NATS_OK)
        return "cannot create the stream " + m_state->settings.stream + ": " +
               describe(status, code);
    m_state->write(LogLevel::Info, "created the stream " + m_state->settings.stream + " with " +
                                       std::to_string(m_state->settings.replicas) + " replicas");
    return std::nullopt;
}

std::optional<StreamState> NatsStream::state(std::string &error, bool *notFound)
{
    jsStreamInfo *info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status =
        js_GetStreamInfo(&info, m_state->context, m_state->settings.stream.c_str(), nullptr, &code);
    if (notFound != nullptr)
        *notFound = status == NATS_NOT_FOUND || code == JSStreamNotFoundErr;
    if (status != NATS_OK) {
        error = "cannot read the state of the stream " + m_state->settings.stream + ": " +
                describe(status, code);
        return std::nullopt;
    }
    StreamState result;
    result.messages = info->State.Msgs;
    result.bytes = info->State.Bytes;
    result.firstMessage = info->State.FirstSeq;
    result.lastMessage = info->State.LastSeq;
    result.replicas = info->Config != nullptr ? static_cast<int>(info->Config->Replicas) : 0;
    if (info->Cluster != nullptr) {
        if (info->Cluster->Leader != nullptr)
            result.leader = info->Cluster->Leader;
        for (int i = 0; i < info->Cluster->ReplicasLen; ++i) {
            const jsPeerInfo *peer = info->Cluster->Replicas[i];
            result.followers.push_back(
                {peer->Name != nullptr ? peer->Name : "", peer->Current, peer->Offline, peer->Lag});
        }
    }
    jsStreamInfo_Destroy(info);
    return result;
}

namespace {

StreamMessage takeMessage(natsMsg *message)
{
    StreamMessage result;
    result.streamSequence = natsMsg_GetSequence(message);
    const auto *data = reinterpret_cast<const std::uint8_t *>(natsMsg_GetData(message));
    result.body.assign(data, data + std::max(natsMsg_GetDataLength(message), 0));
    natsMsg_Destroy(message);
    return result;
}

} // namespace

std::optional<StreamMessage> NatsStream::message(std::uint64_t streamSequence, std::string &error)
{
    natsMsg *message = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status =
        js_GetMsg(&message, m_state->context, m_state->settings.stream.c_str(), streamSequence,
                  nullptr, &code);
    if (status != NATS_OK) {
        error = "cannot read message " + std::to_string(streamSequence) + " of the stream " +
                m_state->settings.stream + ": " + describe(status, code);
        return std::nullopt;
    }
    return takeMessage(message);
}

std::optional<StreamMessage> NatsStream::lastMessage(std::string &error, bool &empty)
{
    empty = false;
    natsMsg *message = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status =
        js_GetLastMsg(&message, m_state->context, m_state->settings.stream.c_str(),
                      m_state->subject.c_str(), nullptr, &code);
    if (status != NATS_OK) {
        empty = status == NATS_NOT_FOUND || code == JSNoMessageFoundErr;
        error = "cannot read the last message of the stream " + m_state->settings.stream + ": " +
                describe(status, code);
        return std::nullopt;
    }
    return takeMessage(message);
}

// No header makes the server check the stream's last message: with nats-server 2.9.10 and
// several messages in flight to a clustered stream, Nats-Expected-Last-Sequence fenced only the
// first of them, and Nats-Expected-Last-Subject-Sequence rejected every one after it. The
// stream's reading rule (stream_chain.h) keeps writers apart instead.
std::optional<std::string> NatsStream::publish(const std::vector<std::uint8_t> &body,
                                               const std::string &messageId)
{
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = messageId.c_str();
    options.MaxWait = m_state->settings.requestTimeout.count();
    const natsStatus status = js_PublishAsync(m_state->context, m_state->subject.c_str(),
                                              body.data(), static_cast<int>(body.size()), &options);
    if (status != NATS_OK)
        return "cannot publish " + messageId + " to " + m_state->subject + ": " + describe(status);
    return std::nullopt;
}

std::optional<std::uint64_t> NatsStream::publishAndWait(const std::vector<std::uint8_t> &body,
                                                        const std::string &messageId,
                                                        std::string &error)
{
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = messageId.c_str();
    options.MaxWait = m_state->settings.requestTimeout.count();
    jsPubAck *ack = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status =
        js_Publish(&ack, m_state->context, m_state->subject.c_str(), body.data(),
                   static_cast<int>(body.size()), &options, &code);
    if (status != NATS_OK) {
        error = "cannot publish " + messageId + " to " + m_state->subject + ": " +
                describe(status, code);
        return std::nullopt;
    }
    const std::uint64_t sequence = ack->Sequence;
    jsPubAck_Destroy(ack);
    return sequence;
}

bool NatsStream::waitForAcknowledgements(std::chrono::milliseconds timeout)
{
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = std::max<std::int64_t>(timeout.count(), 1);
    return js_PublishAsyncComplete(m_state->context, &options) == NATS_OK;
}

void NatsStream::dropPendingPublications()
{
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, m_state->context) == NATS_OK)
        natsMsgList_Destroy(&pending);
}

} // namespace bourse::cluster
