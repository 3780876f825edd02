/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/collector-app.h"

#include "ns3/abort.h"
#include "ns3/inet-socket-address.h"
#include "ns3/ipv4-address.h"
#include "ns3/log.h"
#include "ns3/pointer.h"
#include "ns3/round-strategy.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <stdexcept>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("CollectorApp");

NS_OBJECT_ENSURE_REGISTERED(CollectorApp);

TypeId
CollectorApp::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::CollectorApp")
              .SetParent<Application>()
              .SetGroupName("Hffm")
              .AddConstructor<CollectorApp>()
              .AddAttribute("Port", "TCP port the collector listens on.", UintegerValue(7070),
                            MakeUintegerAccessor(&CollectorApp::m_port),
                            MakeUintegerChecker<uint16_t>(1))
              .AddAttribute("RoundDeadline",
                            "How long a collection round waits for its participants before "
                            "aggregating what has arrived.",
                            TimeValue(Seconds(60)),
                            MakeTimeAccessor(&CollectorApp::m_roundDeadline),
                            MakeTimeChecker(Seconds(0)))
              .AddAttribute("RetryInterval",
                            "How long after a failed push to a child it is tried again, while "
                            "the round still waits for that child.",
                            TimeValue(Seconds(1)), MakeTimeAccessor(&CollectorApp::m_retryInterval),
                            MakeTimeChecker(MilliSeconds(1)))
              .AddAttribute(
                  "Codec", "Payload codec of what it sends: fp32, fp16 or int8.",
                  StringValue("fp32"),
                  MakeStringAccessor(&CollectorApp::SetCodecName, &CollectorApp::GetCodecName),
                  MakeStringChecker())
              .AddAttribute(
                  "MaxPayloadBytes", "Messages declaring a larger payload are rejected unbuffered.",
                  UintegerValue(256U << 20), MakeUintegerAccessor(&CollectorApp::m_maxPayloadBytes),
                  MakeUintegerChecker<uint32_t>(1))
              .AddAttribute("Parent",
                            "Address and port where this node sends its updates up (unset: "
                            "nowhere): the cloud for a fog, the fog or the next member towards "
                            "it in a D2D cluster.",
                            AddressValue(), MakeAddressAccessor(&CollectorApp::m_parent),
                            MakeAddressChecker())
              .AddAttribute("SenderId",
                            "This node's sender id in the messages it sends up or shares: a "
                            "fog's index at the cloud, a cluster member's device index.",
                            UintegerValue(0), MakeUintegerAccessor(&CollectorApp::m_senderId),
                            MakeUintegerChecker<uint32_t>())
              .AddAttribute(
                  "Strategy",
                  "The round policy (a RoundStrategy): when rounds begin, with whom, "
                  "how modules are combined, when to send up.",
                  PointerValue(),
                  MakePointerAccessor(&CollectorApp::SetStrategy,
                                      static_cast<Ptr<RoundStrategy> (CollectorApp::*)() const>(
                                          &CollectorApp::GetStrategy)),
                  MakePointerChecker<RoundStrategy>())
              .AddTraceSource("ModuleReceived", "A module arrived, valid and expected.",
                              MakeTraceSourceAccessor(&CollectorApp::m_moduleReceivedTrace),
                              "ns3::CollectorApp::ModuleTracedCallback")
              .AddTraceSource("ModuleSent",
                              "A module message (a push down, an update up, a share) was "
                              "handed to TCP.",
                              MakeTraceSourceAccessor(&CollectorApp::m_moduleSentTrace),
                              "ns3::CollectorApp::ModuleSentTracedCallback")
              .AddTraceSource("ModuleRejected",
                              "A message or update was rejected, and is not aggregated.",
                              MakeTraceSourceAccessor(&CollectorApp::m_moduleRejectedTrace),
                              "ns3::CollectorApp::ModuleRejectedTracedCallback")
              .AddTraceSource("ModuleAggregated", "A module was aggregated over its holders.",
                              MakeTraceSourceAccessor(&CollectorApp::m_moduleAggregatedTrace),
                              "ns3::CollectorApp::ModuleAggregatedTracedCallback")
              .AddTraceSource("RoundDone", "A collection round was aggregated.",
                              MakeTraceSourceAccessor(&CollectorApp::m_roundDoneTrace),
                              "ns3::CollectorApp::RoundDoneTracedCallback")
              .AddTraceSource("ModulesChanged",
                              "The modules GetModules() returns changed: an aggregation, or "
                              "modules taken from the parent.",
                              MakeTraceSourceAccessor(&CollectorApp::m_modulesChangedTrace),
                              "ns3::CollectorApp::ModulesChangedTracedCallback");
    return tid;
}

CollectorApp::CollectorApp()
    : m_roundDeadline(Seconds(60))
    , m_retryInterval(Seconds(1))
{
    NS_LOG_FUNCTION(this);
}

CollectorApp::~CollectorApp()
{
    NS_LOG_FUNCTION(this);
}

void
CollectorApp::DoDispose()
{
    NS_LOG_FUNCTION(this);
    StopApplication();
    m_updates.clear();
    m_encoded.clear();
    m_fromParent.clear();
    if (m_strategy)
    {
        m_strategy->Dispose();
        m_strategy = nullptr;
    }
    Application::DoDispose();
}

void
CollectorApp::SetStrategy(Ptr<RoundStrategy> strategy)
{
    NS_ABORT_MSG_IF(m_running, "CollectorApp: the strategy is set before the application starts");
    m_strategy = strategy;
    if (m_strategy)
    {
        m_strategy->SetCollector(this);
    }
}

Ptr<RoundStrategy>
CollectorApp::GetStrategy() const
{
    return m_strategy;
}

void
CollectorApp::SetCodecName(std::string name)
{
    NS_ABORT_MSG_IF(!ParseModuleCodec(name, m_codec),
                    "CollectorApp: Codec '" << name << "' is not one of fp32, fp16, int8");
}

std::string
CollectorApp::GetCodecName() const
{
    return ToString(m_codec);
}

void
CollectorApp::SetModules(const ModuleMap& modules)
{
    m_modules = modules;
    m_encoded.clear();
}

const ModuleMap&
CollectorApp::GetModules() const
{
    return m_modules;
}

void
CollectorApp::AddChild(uint32_t id, const Address& address,
                       const std::vector<std::string>& moduleIds)
{
    NS_ABORT_MSG_IF(m_children.count(id), "CollectorApp: child " << id << " added twice");
    Child c;
    c.address = address;
    c.moduleIds = moduleIds;
    c.moduleSet = std::set<std::string>(moduleIds.begin(), moduleIds.end());
    m_children[id] = std::move(c);
}

void
CollectorApp::AddOptionalChild(uint32_t id, const Address& address,
                               const std::vector<std::string>& moduleIds)
{
    AddChild(id, address, moduleIds);
    m_children[id].optional = true;
}

bool
CollectorApp::RemoveChild(uint32_t id)
{
    if (!m_children.count(id) || IsAwaited(id))
    {
        return false;
    }
    m_children.erase(id);
    return true;
}

bool
CollectorApp::SetChildModules(uint32_t id, const std::vector<std::string>& moduleIds)
{
    const auto it = m_children.find(id);
    if (it == m_children.end() || IsAwaited(id))
    {
        return false;
    }
    it->second.moduleIds = moduleIds;
    it->second.moduleSet = std::set<std::string>(moduleIds.begin(), moduleIds.end());
    return true;
}

std::vector<uint32_t>
CollectorApp::GetChildIds() const
{
    std::vector<uint32_t> ids;
    for (const auto& [id, c] : m_children)
    {
        if (!c.optional)
        {
            ids.push_back(id);
        }
    }
    return ids;
}

std::vector<std::string>
CollectorApp::GetChildModuleIds() const
{
    std::set<std::string> all;
    for (const auto& [id, c] : m_children)
    {
        if (!c.optional)
        {
            all.insert(c.moduleIds.begin(), c.moduleIds.end());
        }
    }
    return {all.begin(), all.end()};
}

uint64_t
CollectorApp::GetBytesReceived() const
{
    return m_receiver ? m_receiver->GetBytesReceived() : 0;
}

uint64_t
CollectorApp::GetBytesSentDown() const
{
    return m_bytesSentDown;
}

uint64_t
CollectorApp::GetBytesSentUp() const
{
    return m_bytesSentUp;
}

uint64_t
CollectorApp::GetBytesShared() const
{
    return m_bytesShared;
}

uint64_t
CollectorApp::GetRejectedCount() const
{
    return m_rejected;
}

uint32_t
CollectorApp::GetRoundsCollected() const
{
    return m_roundsCollected;
}

Time
CollectorApp::GetRoundDeadline() const
{
    return m_roundDeadline;
}

Address
CollectorApp::GetParent() const
{
    return m_parent;
}

uint32_t
CollectorApp::GetSenderId() const
{
    return m_senderId;
}

void
CollectorApp::StartApplication()
{
    NS_LOG_FUNCTION(this);
    for (const auto& id : GetChildModuleIds())
    {
        NS_ABORT_MSG_IF(!m_modules.count(id), "CollectorApp: a child holds module '"
                                                  << id << "' but SetModules() lacks it");
    }
    NS_ABORT_MSG_IF(!m_strategy, "CollectorApp: no Strategy is set");
    m_running = true;
    m_receiver = Create<ModuleReceiver>(m_maxPayloadBytes);
    m_receiver->SetMessageCallback(
        [this](const MessageFields& fields, std::shared_ptr<ModuleState> state, const Address&)
        { HandleMessage(fields, std::move(state)); });
    m_receiver->SetRejectCallback(
        [this](RejectReason reason, const std::string& detail, const MessageFields* fields,
               const Address&) { Reject(fields ? fields->sender : 0, ToString(reason), detail); });
    m_receiver->Start(GetNode(), InetSocketAddress(Ipv4Address::GetAny(), m_port));
    m_strategy->Start();
}

void
CollectorApp::StopApplication()
{
    NS_LOG_FUNCTION(this);
    if (m_strategy)
    {
        m_strategy->Stop();
    }
    m_running = false;
    Simulator::Cancel(m_deadlineEvent);
    m_collecting = false;
    m_transfers.AbortAll();
    if (m_receiver)
    {
        m_receiver->Stop();
    }
}

void
CollectorApp::Reject(uint32_t sender, const std::string& reason, const std::string& detail)
{
    NS_LOG_WARN(Simulator::Now().As(Time::S) << " node " << GetNode()->GetId() << " rejected from "
                                             << sender << ": " << reason << ": " << detail);
    ++m_rejected;
    m_moduleRejectedTrace(sender, reason, detail);
}

void
CollectorApp::HandleMessage(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    switch (fields.type)
    {
        case MessageType::MODULE_UPDATE:
            HandleUpdate(fields, std::move(state));
            break;
        case MessageType::MODULE_SHARE:
            m_strategy->HandleShare(fields, std::move(state));
            break;
        default:
            m_strategy->HandlePush(fields, std::move(state));
    }
}

void
CollectorApp::NotifyModuleReceived(const MessageFields& fields)
{
    m_moduleReceivedTrace(fields);
}

void
CollectorApp::HandleUpdate(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    m_strategy->UpdateArriving(fields);
    const std::string what = "module " + fields.moduleId + " of round "
                             + std::to_string(fields.round) + " from "
                             + std::to_string(fields.sender);
    if (!m_collecting || fields.round != m_collectRound)
    {
        Reject(fields.sender, "stale-round",
               what + ": collecting "
                   + (m_collecting ? "round " + std::to_string(m_collectRound) : "nothing"));
        return;
    }
    const auto child = m_children.find(fields.sender);
    if (!m_participants.count(fields.sender)
        && (child == m_children.end() || !child->second.optional))
    {
        Reject(fields.sender, "unknown-sender", what + ": not a participant of this round");
        return;
    }
    if (!m_children.at(fields.sender).moduleSet.count(fields.moduleId))
    {
        Reject(fields.sender, "unexpected-module", what + ": the sender does not hold it");
        return;
    }
    const auto& current = m_modules.at(fields.moduleId);
    if (!state->HasSameLayout(*current))
    {
        Reject(fields.sender, "layout-mismatch",
               what + ": its tensors differ from the current module's names or shapes");
        return;
    }
    m_moduleReceivedTrace(fields);
    m_updates[fields.sender][fields.moduleId] = std::move(state);
    for (uint32_t p : m_participants)
    {
        const auto it = m_updates.find(p);
        if (it == m_updates.end() || it->second.size() < m_children.at(p).moduleIds.size())
        {
            return;
        }
    }
    FinishCollection();
}

void
CollectorApp::BeginCollection(uint32_t round, const std::vector<uint32_t>& participants)
{
    NS_LOG_FUNCTION(this << round << participants.size());
    m_collecting = true;
    m_collectRound = round;
    m_collectStart = Simulator::Now();
    m_participants = std::set<uint32_t>(participants.begin(), participants.end());
    m_updates.clear();
    Simulator::Cancel(m_deadlineEvent);
    m_deadlineEvent = Simulator::Schedule(m_roundDeadline, &CollectorApp::FinishCollection, this);
    if (m_participants.empty())
    {
        Simulator::Cancel(m_deadlineEvent);
        m_deadlineEvent = Simulator::ScheduleNow(&CollectorApp::FinishCollection, this);
    }
}

void
CollectorApp::AbandonCollection()
{
    if (m_collecting)
    {
        NS_LOG_INFO(Simulator::Now().As(Time::S)
                    << " node " << GetNode()->GetId() << " abandons round " << m_collectRound);
    }
    m_collecting = false;
    Simulator::Cancel(m_deadlineEvent);
    m_updates.clear();
}

bool
CollectorApp::IsAwaited(uint32_t id) const
{
    return m_collecting && m_participants.count(id);
}

bool
CollectorApp::IsKnownModule(const std::string& moduleId, const ModuleState& state) const
{
    const auto it = m_modules.find(moduleId);
    return it != m_modules.end() && state.HasSameLayout(*it->second);
}

bool
CollectorApp::IsCollecting() const
{
    return m_collecting;
}

bool
CollectorApp::IsRunning() const
{
    return m_running;
}

void
CollectorApp::FinishCollection()
{
    if (!m_collecting)
    {
        return;
    }
    Simulator::Cancel(m_deadlineEvent);
    m_collecting = false;
    RoundSummary summary;
    summary.round = m_collectRound;
    summary.participants = static_cast<uint32_t>(m_participants.size());
    summary.started = m_collectStart;
    summary.finished = Simulator::Now();

    std::vector<std::pair<std::string, std::vector<std::shared_ptr<const ModuleState>>>> offers;
    for (uint32_t p : m_participants)
    {
        const auto it = m_updates.find(p);
        const std::size_t got = it == m_updates.end() ? 0 : it->second.size();
        if (got < m_children.at(p).moduleIds.size())
        {
            summary.stragglers.push_back(p);
        }
    }
    // the participants' updates, and those of optional senders that came
    for (const auto& [p, updates] : m_updates)
    {
        std::vector<std::shared_ptr<const ModuleState>> modules;
        for (const auto& [id, m] : updates)
        {
            if (m->GetSampleWeight() > 0.0) // weight 0: nothing new for this module
            {
                modules.push_back(m);
            }
        }
        offers.emplace_back(std::to_string(p), std::move(modules));
    }
    const auto results = AggregateModules(m_strategy->GetAggregationRule(), offers, &m_modules);
    for (const auto& [id, result] : results)
    {
        for (const auto& r : result.rejected)
        {
            Reject(static_cast<uint32_t>(std::stoul(r.from)), "aggregation-rejected",
                   "module " + id + ": " + r.reason);
        }
        summary.contributionsRejected += static_cast<uint32_t>(result.rejected.size());
        if (result.state)
        {
            m_modules[id] = result.state;
            summary.weights[id] = result.state->GetSampleWeight();
            m_encoded.erase(id);
            ++summary.modulesAggregated;
        }
        m_moduleAggregatedTrace(summary.round, id, static_cast<uint32_t>(result.used),
                                static_cast<uint32_t>(result.rejected.size()));
    }
    m_updates.clear();
    if (summary.modulesAggregated > 0)
    {
        m_modulesChangedTrace(m_modules);
    }
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " node " << GetNode()->GetId() << " aggregated round " << summary.round << ": "
                << summary.modulesAggregated << " modules, " << summary.stragglers.size()
                << " stragglers of " << summary.participants);
    ++m_roundsCollected;
    m_roundDoneTrace(summary);
    m_strategy->CollectionDone(summary);
}

std::shared_ptr<const EncodedPayload>
CollectorApp::Encode(const ModuleState& state)
{
    EncodeResult encoded = EncodeModule(state, m_codec);
    if (!encoded.payload)
    {
        Reject(0, "encode-failed", "module " + state.GetModuleId() + ": " + encoded.error);
    }
    return encoded.payload;
}

void
CollectorApp::PushToChild(uint32_t id, uint32_t round)
{
    const Child& child = m_children.at(id);
    auto transfer = m_transfers.Open(GetNode(), child.address);
    for (const auto& moduleId : child.moduleIds)
    {
        auto& payload = m_encoded[moduleId];
        if (!payload)
        {
            payload = Encode(*m_modules.at(moduleId)); // once per version, for every child
        }
        if (!payload)
        {
            continue;
        }
        MessageFields fields;
        fields.type = MessageType::MODULE_PUSH;
        fields.round = round;
        fields.sender = GetNode()->GetId();
        fields.moduleId = moduleId;
        transfer->Add(fields, payload);
    }
    const Address to = child.address;
    transfer->SetMessageSentCallback(
        [this, to](const MessageFields& f)
        {
            m_bytesSentDown += MessageFormat::HeaderSize(f.moduleId.size()) + f.payloadLength;
            m_moduleSentTrace(f, to);
        });
    // a push that fails (a station not yet associated, a link that broke) is tried again
    // while the round waits for that child
    transfer->SetDoneCallback(
        [this, id, round](bool complete)
        {
            if (!complete && m_collecting && m_collectRound == round && m_participants.count(id)
                && !m_updates.count(id))
            {
                Simulator::Schedule(m_retryInterval, &CollectorApp::RetryPush, this, id, round);
            }
        });
    transfer->Start();
}

void
CollectorApp::RetryPush(uint32_t id, uint32_t round)
{
    if (m_collecting && m_collectRound == round && !m_updates.count(id))
    {
        NS_LOG_INFO(Simulator::Now().As(Time::S)
                    << " node " << GetNode()->GetId() << " pushes round " << round << " to " << id
                    << " again");
        PushToChild(id, round);
    }
}

Ptr<ModuleTransfer>
CollectorApp::SendModules(const Address& remote, MessageType type, uint32_t round,
                          const std::vector<std::shared_ptr<const ModuleState>>& modules,
                          uint8_t step)
{
    const uint32_t sender = m_senderId;
    uint64_t* counter = type == MessageType::MODULE_SHARE    ? &m_bytesShared
                        : type == MessageType::MODULE_UPDATE ? &m_bytesSentUp
                                                             : &m_bytesSentDown;
    auto transfer = m_transfers.Open(GetNode(), remote);
    for (const auto& m : modules)
    {
        auto payload = Encode(*m);
        if (!payload)
        {
            continue;
        }
        MessageFields fields;
        fields.type = type;
        fields.round = round;
        fields.sender = sender;
        fields.step = step;
        fields.moduleId = m->GetModuleId();
        transfer->Add(fields, payload);
    }
    transfer->SetMessageSentCallback(
        [this, counter, remote](const MessageFields& f)
        {
            *counter += MessageFormat::HeaderSize(f.moduleId.size()) + f.payloadLength;
            m_moduleSentTrace(f, remote);
        });
    transfer->Start();
    return transfer;
}

Ptr<ModuleTransfer>
CollectorApp::SendUp(const Address& parent, uint32_t round,
                     const std::map<std::string, double>& weights)
{
    std::vector<std::shared_ptr<const ModuleState>> modules;
    for (const auto& id : GetChildModuleIds())
    {
        auto copy = std::make_shared<ModuleState>(*m_modules.at(id));
        const auto it = weights.find(id);
        copy->SetSampleWeight(it == weights.end() ? 0.0 : it->second);
        modules.push_back(std::move(copy));
    }
    return SendModules(parent, MessageType::MODULE_UPDATE, round, modules);
}

bool
CollectorApp::AcceptParentModule(const MessageFields& fields, std::shared_ptr<ModuleState> state,
                                 uint32_t round)
{
    const std::string what = "module " + fields.moduleId + " of round "
                             + std::to_string(fields.round) + " from the parent";
    if (fields.round != round)
    {
        Reject(fields.sender, "stale-round",
               what + ": round " + std::to_string(round) + " is awaited");
        return false;
    }
    const auto ids = GetChildModuleIds();
    const auto it = m_modules.find(fields.moduleId);
    if (it == m_modules.end() || !std::binary_search(ids.begin(), ids.end(), fields.moduleId))
    {
        Reject(fields.sender, "unexpected-module", what + ": no child holds it");
        return false;
    }
    if (!state->HasSameLayout(*it->second))
    {
        Reject(fields.sender, "layout-mismatch", what + ": its tensors differ from the current");
        return false;
    }
    if (m_fromParentRound != round)
    {
        m_fromParent.clear();
        m_fromParentRound = round;
    }
    m_moduleReceivedTrace(fields);
    m_fromParent[fields.moduleId] = std::move(state);
    if (m_fromParent.size() < ids.size())
    {
        return false;
    }
    ReplaceModules(m_fromParent);
    m_fromParent.clear();
    return true;
}

void
CollectorApp::ClearParentModules()
{
    m_fromParent.clear();
}

void
CollectorApp::ReplaceModules(const ModuleMap& modules)
{
    for (const auto& [id, m] : modules)
    {
        m_modules[id] = m;
        m_encoded.erase(id);
    }
    if (!modules.empty())
    {
        m_modulesChangedTrace(m_modules);
    }
}

} // namespace ns3
