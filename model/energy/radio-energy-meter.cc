/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/radio-energy-meter.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/lte-ue-phy.h"
#include "ns3/simulator.h"
#include "ns3/wifi-phy.h"
#include "ns3/wifi-utils.h"

#include <algorithm>
#include <iterator>
#include <numeric>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("RadioEnergyMeter");

NS_OBJECT_ENSURE_REGISTERED(RadioEnergyMeter);

TypeId
RadioEnergyMeter::GetTypeId()
{
    static TypeId tid = TypeId("ns3::hffm::RadioEnergyMeter")
                            .SetParent<Object>()
                            .SetGroupName("Hffm")
                            .AddConstructor<RadioEnergyMeter>();
    return tid;
}

RadioEnergyMeter::Account&
RadioEnergyMeter::At(uint32_t index)
{
    if (index >= m_accounts.size())
    {
        m_accounts.resize(index + 1);
    }
    return m_accounts[index];
}

void
RadioEnergyMeter::WatchWifi(uint32_t index, Ptr<WifiNetDevice> device)
{
    NS_ABORT_MSG_IF(!device, "RadioEnergyMeter::WatchWifi: no device");
    At(index);
    Ptr<WifiPhy> phy = device->GetPhy();
    const double watts = DbmToW(phy->GetTxPowerStart());
    phy->GetState()->TraceConnectWithoutContext(
        "State", Callback<void, Time, Time, WifiPhyState>(
                     [this, index, watts](Time start, Time duration, WifiPhyState state)
                     { OnWifiState(index, watts, start, duration, state); }));
}

void
RadioEnergyMeter::WatchLteUe(uint32_t index, Ptr<LteUeNetDevice> device)
{
    NS_ABORT_MSG_IF(!device, "RadioEnergyMeter::WatchLteUe: no device");
    At(index);
    Ptr<LteUePhy> phy = device->GetPhy();
    // The callback lives in the phy: holding a Ptr to the phy in it would be a reference
    // cycle that keeps the phy (and what it holds) alive after Simulator::Destroy.
    LteUePhy* raw = PeekPointer(phy);
    phy->TraceConnectWithoutContext("UlPhyTransmission",
                                    Callback<void, PhyTransmissionStatParameters>(
                                        [this, index, raw](PhyTransmissionStatParameters params)
                                        { OnLteUplink(index, Ptr<LteUePhy>(raw), params); }));
}

void
RadioEnergyMeter::OnWifiState(uint32_t index, double watts, Time /* start */, Time duration,
                              WifiPhyState state)
{
    if (state == WifiPhyState::TX)
    {
        Count(index, watts * duration.GetSeconds(), duration);
    }
}

void
RadioEnergyMeter::Count(uint32_t index, double joules, Time airtime)
{
    Account& a = At(index);
    a.airtime += airtime;
    a.joules += joules;
    if (m_history)
    {
        a.history.emplace_back(Simulator::Now().GetTimeStep(), a.joules);
    }
}

void
RadioEnergyMeter::KeepHistory()
{
    m_history = true;
    for (auto& a : m_accounts)
    {
        a.joulesBefore = a.joules;
    }
}

double
RadioEnergyMeter::GetEnergyAt(uint32_t index, Time t) const
{
    NS_ABORT_MSG_IF(!m_history, "RadioEnergyMeter::GetEnergyAt: KeepHistory() was not called");
    if (index >= m_accounts.size())
    {
        return 0.0;
    }
    const Account& a = m_accounts[index];
    // the last transmission that started at or before t
    const auto after = std::upper_bound(a.history.begin(), a.history.end(), t.GetTimeStep(),
                                        [](int64_t time, const std::pair<int64_t, double>& entry)
                                        { return time < entry.first; });
    return after == a.history.begin() ? a.joulesBefore : std::prev(after)->second;
}

void
RadioEnergyMeter::ForgetBefore(Time t)
{
    for (auto& a : m_accounts)
    {
        const auto after
            = std::upper_bound(a.history.begin(), a.history.end(), t.GetTimeStep(),
                               [](int64_t time, const std::pair<int64_t, double>& entry)
                               { return time < entry.first; });
        if (after != a.history.begin())
        {
            a.joulesBefore = std::prev(after)->second;
            a.history.erase(a.history.begin(), after);
        }
    }
}

void
RadioEnergyMeter::OnLteUplink(uint32_t index, Ptr<LteUePhy> phy,
                              PhyTransmissionStatParameters params)
{
    Account& a = At(index);
    if (params.m_timestamp == a.lastTti)
    {
        return;
    }
    a.lastTti = params.m_timestamp;
    const Time tti = MilliSeconds(1);
    Count(index, DbmToW(phy->GetTxPower()) * tti.GetSeconds(), tti);
}

double
RadioEnergyMeter::GetEnergy(uint32_t index) const
{
    return index < m_accounts.size() ? m_accounts[index].joules : 0.0;
}

Time
RadioEnergyMeter::GetAirtime(uint32_t index) const
{
    return index < m_accounts.size() ? m_accounts[index].airtime : Time();
}

double
RadioEnergyMeter::GetTotalEnergy() const
{
    return std::accumulate(m_accounts.begin(), m_accounts.end(), 0.0,
                           [](double sum, const Account& a) { return sum + a.joules; });
}

} // namespace ns3
