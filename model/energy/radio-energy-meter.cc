/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/radio-energy-meter.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/lte-ue-phy.h"
#include "ns3/wifi-phy.h"
#include "ns3/wifi-utils.h"

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
        Account& a = At(index);
        a.airtime += duration;
        a.joules += watts * duration.GetSeconds();
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
    a.airtime += tti;
    a.joules += DbmToW(phy->GetTxPower()) * tti.GetSeconds();
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
