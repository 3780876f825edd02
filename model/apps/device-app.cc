/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/device-app.h"

#include "ns3/abort.h"
#include "ns3/double.h"
#include "ns3/inet-socket-address.h"
#include "ns3/ipv4-address.h"
#include "ns3/log.h"
#include "ns3/module-codec.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <stdexcept>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("DeviceApp");

NS_OBJECT_ENSURE_REGISTERED(DeviceApp);

TypeId
DeviceApp::GetTypeId()
{
    static TypeId tid
        = TypeId("ns3::hffm::DeviceApp")
              .SetParent<Application>()
              .SetGroupName("Hffm")
              .AddConstructor<DeviceApp>()
              .AddAttribute("Port", "TCP port the device listens on for pushed modules.",
                            UintegerValue(7070), MakeUintegerAccessor(&DeviceApp::m_port),
                            MakeUintegerChecker<uint16_t>(1))
              .AddAttribute("Parent",
                            "Address and port where the device sends its updates: its fog, "
                            "the cloud's collector in the star baseline, or its own D2D "
                            "cluster collector over loopback.",
                            AddressValue(), MakeAddressAccessor(&DeviceApp::m_parent),
                            MakeAddressChecker())
              .AddAttribute("DeviceIndex",
                            "The device's index in the learner (its data shard); also the "
                            "sender id of its messages.",
                            UintegerValue(0), MakeUintegerAccessor(&DeviceApp::m_deviceIndex),
                            MakeUintegerChecker<uint32_t>())
              .AddAttribute("MacsPerSecond",
                            "Compute speed: multiply-adds per second of local training.",
                            DoubleValue(5e9), MakeDoubleAccessor(&DeviceApp::m_macsPerSecond),
                            MakeDoubleChecker<double>(1.0))
              .AddAttribute("ComputePower", "Power drawn while training, in watts.",
                            DoubleValue(2.0), MakeDoubleAccessor(&DeviceApp::m_computePower),
                            MakeDoubleChecker<double>(0.0))
              .AddAttribute("Codec", "Payload codec of uploads: fp32, fp16 or int8.",
                            StringValue("fp32"),
                            MakeStringAccessor(&DeviceApp::SetCodecName, &DeviceApp::GetCodecName),
                            MakeStringChecker())
              .AddAttribute(
                  "MaxPayloadBytes", "Messages declaring a larger payload are rejected unbuffered.",
                  UintegerValue(256U << 20), MakeUintegerAccessor(&DeviceApp::m_maxPayloadBytes),
                  MakeUintegerChecker<uint32_t>(1))
              .AddAttribute("RetryInterval",
                            "How long after a failed upload it is tried again, while no newer "
                            "round has begun.",
                            TimeValue(Seconds(1)), MakeTimeAccessor(&DeviceApp::m_retryInterval),
                            MakeTimeChecker(MilliSeconds(1)))
              .AddAttribute("RetryDeadline",
                            "How long after a round's first module arrived a failed upload of "
                            "that round is still tried again; then the device gives up (its "
                            "server has closed the round). FederatedHelper sets its "
                            "aggregator's RoundDeadline.",
                            TimeValue(Seconds(60)), MakeTimeAccessor(&DeviceApp::m_retryDeadline),
                            MakeTimeChecker(Seconds(0)))
              .AddAttribute("UpdateScale",
                            "What the device uploads, as a multiple of its update: g + s (x - g) "
                            "per value, g the module it received, x the module it trained. 1: "
                            "an honest device (nothing is recomputed); -1: a sign-flipping "
                            "attacker; 100: a scaling attacker.",
                            DoubleValue(1.0), MakeDoubleAccessor(&DeviceApp::m_updateScale),
                            MakeDoubleChecker<double>(-1e6, 1e6))
              .AddTraceSource("ModuleReceived", "A pushed module arrived, valid and expected.",
                              MakeTraceSourceAccessor(&DeviceApp::m_moduleReceivedTrace),
                              "ns3::DeviceApp::ModuleTracedCallback")
              .AddTraceSource("ModuleSent", "An updated module was handed to TCP.",
                              MakeTraceSourceAccessor(&DeviceApp::m_moduleSentTrace),
                              "ns3::DeviceApp::ModuleTracedCallback")
              .AddTraceSource("ModuleRejected",
                              "A message was rejected (malformed, unexpected or stale).",
                              MakeTraceSourceAccessor(&DeviceApp::m_moduleRejectedTrace),
                              "ns3::DeviceApp::ModuleRejectedTracedCallback")
              .AddTraceSource("TrainingDone", "Local training of a round finished.",
                              MakeTraceSourceAccessor(&DeviceApp::m_trainingDoneTrace),
                              "ns3::DeviceApp::TrainingDoneTracedCallback")
              .AddTraceSource("UploadFailed",
                              "An upload failed; it is tried again, or given up after "
                              "RetryDeadline.",
                              MakeTraceSourceAccessor(&DeviceApp::m_uploadFailedTrace),
                              "ns3::DeviceApp::UploadFailedTracedCallback");
    return tid;
}

DeviceApp::DeviceApp()
{
    NS_LOG_FUNCTION(this);
}

DeviceApp::~DeviceApp()
{
    NS_LOG_FUNCTION(this);
}

void
DeviceApp::DoDispose()
{
    NS_LOG_FUNCTION(this);
    StopApplication();
    m_received.clear();
    m_learner = nullptr;
    Application::DoDispose();
}

void
DeviceApp::Setup(std::shared_ptr<FederatedLearner> learner, const NodeProfile& profile)
{
    NS_ABORT_MSG_IF(!learner, "DeviceApp::Setup: no learner");
    m_learner = std::move(learner);
    m_profile = profile;
    const auto ids = m_learner->GetModuleIdsFor(profile);
    m_moduleIds = std::set<std::string>(ids.begin(), ids.end());
}

const std::set<std::string>&
DeviceApp::GetModuleIds() const
{
    return m_moduleIds;
}

std::string
DeviceApp::GetModuleIdsWithTask(const std::string& task, std::set<std::string>* ids) const
{
    NS_ABORT_MSG_IF(!m_learner, "DeviceApp: Setup() first");
    if (m_profile.tasks.count(task))
    {
        return "device " + std::to_string(m_deviceIndex) + " executes task " + task + " already";
    }
    NodeProfile next = m_profile;
    next.tasks.insert(task);
    const auto with = m_learner->GetModuleIdsFor(next);
    std::set<std::string> result(with.begin(), with.end());
    if (result == m_moduleIds)
    {
        return "task " + task + " has no module of its own in this model";
    }
    *ids = std::move(result);
    return "";
}

std::string
DeviceApp::AddTask(const std::string& task)
{
    std::set<std::string> ids;
    const std::string error = GetModuleIdsWithTask(task, &ids);
    if (!error.empty())
    {
        return error;
    }
    m_profile.tasks.insert(task);
    m_moduleIds = std::move(ids);
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " device " << m_deviceIndex << " takes on task " << task);
    return "";
}

const NodeProfile&
DeviceApp::GetProfile() const
{
    return m_profile;
}

uint32_t
DeviceApp::GetDeviceIndex() const
{
    return m_deviceIndex;
}

uint32_t
DeviceApp::GetRoundsTrained() const
{
    return m_roundsTrained;
}

Time
DeviceApp::GetComputeTime() const
{
    return m_computeTime;
}

double
DeviceApp::GetComputeEnergy() const
{
    return m_computeEnergy;
}

uint64_t
DeviceApp::GetBytesSent() const
{
    return m_transfers.GetBytesSent();
}

uint64_t
DeviceApp::GetBytesReceived() const
{
    return m_receiver ? m_receiver->GetBytesReceived() : 0;
}

uint64_t
DeviceApp::GetRejectedCount() const
{
    return m_rejected;
}

uint32_t
DeviceApp::GetUploadsAbandoned() const
{
    return m_uploadsAbandoned;
}

void
DeviceApp::SetCodecName(std::string name)
{
    NS_ABORT_MSG_IF(!ParseModuleCodec(name, m_codec),
                    "DeviceApp: Codec '" << name << "' is not one of fp32, fp16, int8");
}

std::string
DeviceApp::GetCodecName() const
{
    return ToString(m_codec);
}

void
DeviceApp::StartApplication()
{
    NS_LOG_FUNCTION(this);
    NS_ABORT_MSG_IF(!m_learner, "DeviceApp: Setup() was not called");
    NS_ABORT_MSG_IF(m_parent.IsInvalid(), "DeviceApp: attribute Parent is not set");
    m_receiver = Create<ModuleReceiver>(m_maxPayloadBytes);
    m_receiver->SetMessageCallback(
        [this](const MessageFields& fields, std::shared_ptr<ModuleState> state, const Address&)
        { HandleMessage(fields, std::move(state)); });
    m_receiver->SetRejectCallback(
        [this](RejectReason reason, const std::string& detail, const MessageFields*, const Address&)
        { Reject(ToString(reason), detail); });
    m_receiver->Start(GetNode(), InetSocketAddress(Ipv4Address::GetAny(), m_port));
    m_running = true;
}

void
DeviceApp::StopApplication()
{
    NS_LOG_FUNCTION(this);
    m_running = false;
    Simulator::Cancel(m_uploadEvent);
    Simulator::Cancel(m_giveUpEvent);
    m_upload = nullptr;
    m_transfers.AbortAll();
    if (m_receiver)
    {
        m_receiver->Stop();
    }
}

void
DeviceApp::Reject(const std::string& reason, const std::string& detail)
{
    NS_LOG_WARN("device " << m_deviceIndex << " rejected a message: " << reason << ": " << detail);
    ++m_rejected;
    m_moduleRejectedTrace(reason, detail);
}

void
DeviceApp::HandleMessage(const MessageFields& fields, std::shared_ptr<ModuleState> state)
{
    if (fields.type != MessageType::MODULE_PUSH)
    {
        Reject("unexpected-type",
               "a device takes only pushed modules, got " + ToString(fields.type));
        return;
    }
    if (fields.round < m_round)
    {
        Reject("stale-round", "module " + fields.moduleId + " of round "
                                  + std::to_string(fields.round) + " after round "
                                  + std::to_string(m_round));
        return;
    }
    if (m_moduleIds.count(fields.moduleId) == 0)
    {
        Reject("unexpected-module", "module " + fields.moduleId + " is not one this device uses");
        return;
    }
    if (fields.round > m_round)
    {
        // a newer round: whatever an older one left unfinished is abandoned
        Simulator::Cancel(m_uploadEvent);
        m_received.clear();
        m_round = fields.round;
        m_roundStart = Simulator::Now();
    }
    m_moduleReceivedTrace(fields);
    m_received[fields.moduleId] = std::move(state);
    if (m_received.size() == m_moduleIds.size())
    {
        Train();
    }
}

void
DeviceApp::Train()
{
    LocalUpdate update;
    try
    {
        update = m_learner->Train(m_deviceIndex, m_profile, m_received, m_round);
    }
    catch (const std::exception& e)
    {
        // a module of the right id but a layout the learner refuses: nothing is trained
        Reject("training-failed", e.what());
        return;
    }
    if (m_updateScale != 1.0)
    {
        ScaleUpdate(update);
    }
    m_received.clear();
    const Time computeTime = Seconds(update.multiplyAdds / m_macsPerSecond);
    m_computeTime += computeTime;
    m_computeEnergy += m_computePower * computeTime.GetSeconds();
    ++m_roundsTrained;
    NS_LOG_INFO(Simulator::Now().As(Time::S)
                << " device " << m_deviceIndex << " trained round " << m_round << " on "
                << update.samples << " samples: " << update.multiplyAdds << " multiply-adds, "
                << computeTime.As(Time::MS));
    m_trainingDoneTrace(m_deviceIndex, m_round, update.samples, update.multiplyAdds, computeTime);
    m_uploadEvent
        = Simulator::Schedule(computeTime, &DeviceApp::Upload, this, m_round, std::move(update));
}

void
DeviceApp::ScaleUpdate(LocalUpdate& update) const
{
    for (auto& m : update.modules)
    {
        const auto given = m_received.find(m->GetModuleId());
        if (given == m_received.end() || !given->second->HasSameLayout(*m))
        {
            continue;
        }
        auto scaled = std::make_shared<ModuleState>(*m);
        const float* g = given->second->GetData();
        const float* x = m->GetData();
        float* out = scaled->GetData();
        for (std::size_t k = 0; k < scaled->GetNumel(); ++k)
        {
            out[k]
                = static_cast<float>(double(g[k]) + m_updateScale * (double(x[k]) - double(g[k])));
        }
        m = std::move(scaled);
    }
}

void
DeviceApp::Upload(uint32_t round, const LocalUpdate& update)
{
    if (update.modules.empty())
    {
        return;
    }
    auto transfer = m_transfers.Open(GetNode(), m_parent);
    for (const auto& m : update.modules)
    {
        EncodeResult encoded = EncodeModule(*m, m_codec);
        if (!encoded.payload)
        {
            Reject("encode-failed", "module " + m->GetModuleId() + ": " + encoded.error);
            continue;
        }
        MessageFields fields;
        fields.type = MessageType::MODULE_UPDATE;
        fields.round = round;
        fields.sender = m_deviceIndex;
        fields.moduleId = m->GetModuleId();
        transfer->Add(fields, encoded.payload);
    }
    transfer->SetMessageSentCallback([this](const MessageFields& f) { m_moduleSentTrace(f); });
    transfer->SetDoneCallback([this, round, update](bool complete)
                              { UploadDone(round, update, complete); });
    m_upload = transfer;
    transfer->Start();
    // A server that has gone may never answer (ns-3's TCP ignores a reset in SYN_SENT and
    // tries for a minute and a half): an attempt still unfinished when the server has closed
    // the round is given up then. One that begins later (a device that trained past the
    // deadline) is left to TCP, as any upload.
    const Time giveUp = m_roundStart + m_retryDeadline;
    Simulator::Cancel(m_giveUpEvent);
    if (Simulator::Now() < giveUp)
    {
        m_giveUpEvent
            = Simulator::Schedule(giveUp - Simulator::Now(), &DeviceApp::GiveUp, this, round);
    }
}

void
DeviceApp::GiveUp(uint32_t round)
{
    if (round == m_round && m_upload && !m_upload->IsFinished())
    {
        NS_LOG_INFO(Simulator::Now().As(Time::S)
                    << " device " << m_deviceIndex << " aborts its unfinished upload of round "
                    << round);
        m_upload->Abort(); // reports an incomplete transfer: UploadDone()
    }
}

void
DeviceApp::UploadDone(uint32_t round, const LocalUpdate& update, bool complete)
{
    if (complete)
    {
        Simulator::Cancel(m_giveUpEvent);
    }
    if (complete || !m_running || round != m_round)
    {
        return; // delivered, the application stopped, or a newer round has begun
    }
    // tried again while the server may still collect the round
    const bool retrying = Simulator::Now() + m_retryInterval <= m_roundStart + m_retryDeadline;
    m_uploadFailedTrace(round, retrying);
    if (retrying)
    {
        m_uploadEvent
            = Simulator::Schedule(m_retryInterval, &DeviceApp::Upload, this, round, update);
        return;
    }
    ++m_uploadsAbandoned;
    NS_LOG_WARN(Simulator::Now().As(Time::S)
                << " device " << m_deviceIndex << " gives up its upload of round " << round << ": "
                << m_retryDeadline.As(Time::S) << " since the round's modules arrived");
}

} // namespace ns3
