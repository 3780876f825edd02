/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef HFFM_RADIO_ENERGY_METER_H
#define HFFM_RADIO_ENERGY_METER_H

#include "ns3/lte-common.h"
#include "ns3/lte-ue-net-device.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/wifi-net-device.h"
#include "ns3/wifi-phy-state.h"

#include <vector>

namespace ns3
{

/**
 * \ingroup hffm
 * \brief Radio energy of each watched node from what really happened on air: transmit
 * power times transmit airtime.
 *
 * Wi-Fi: every interval the PHY spends in the TX state (WifiPhyStateHelper's State trace)
 * costs the PHY's transmit power (TxPowerStart) times its duration. LTE (ns-3 3.37 has no
 * LTE energy model): every uplink TTI (1 ms) in which the UE's PHY transmits a transport
 * block (LteUePhy's UlPhyTransmission trace) costs the UE's TxPower times 1 ms. Reception
 * and idle listening are not counted. Nodes are known by an index the caller chooses.
 */
class RadioEnergyMeter : public Object
{
  public:
    static TypeId GetTypeId();

    /// Count the transmissions of a Wi-Fi device as node \p index's.
    void WatchWifi(uint32_t index, Ptr<WifiNetDevice> device);
    /// Count the uplink transmissions of an LTE UE device as node \p index's.
    void WatchLteUe(uint32_t index, Ptr<LteUeNetDevice> device);

    /// \return the radio energy of node \p index so far, in joules
    double GetEnergy(uint32_t index) const;
    /// \return the transmit airtime of node \p index so far
    Time GetAirtime(uint32_t index) const;
    /// \return the radio energy of every node so far, in joules
    double GetTotalEnergy() const;

    /**
     * Keep, from now on, each node's energy after each of its transmissions, so that
     * GetEnergyAt() can answer for a time already past: a distributed run learns when a round
     * ended on every rank only after the fact.
     */
    void KeepHistory();
    /**
     * \return the radio energy of node \p index up to and including time \p t, in joules
     * (KeepHistory() must have been called before; \p t not before ForgetBefore()'s time)
     */
    double GetEnergyAt(uint32_t index, Time t) const;
    /// Drop the history GetEnergyAt() no longer needs for times from \p t on.
    void ForgetBefore(Time t);

  private:
    struct Account
    {
        Time airtime;
        double joules{0.0};
        int64_t lastTti{-1}; //!< LTE: the last counted TTI (ms), so layers count once
        /// with KeepHistory(): (time in ns, joules after it) of each transmission, in time
        /// order; joulesBefore: the energy before the first of them
        std::vector<std::pair<int64_t, double>> history;
        double joulesBefore{0.0};
    };

    /// Count \p joules and \p airtime of a transmission starting now for node \p index.
    void Count(uint32_t index, double joules, Time airtime);

    Account& At(uint32_t index);
    void OnWifiState(uint32_t index, double watts, Time start, Time duration, WifiPhyState state);
    void OnLteUplink(uint32_t index, Ptr<LteUePhy> phy, PhyTransmissionStatParameters params);

    std::vector<Account> m_accounts;
    bool m_history{false};
};

} // namespace ns3

#endif /* HFFM_RADIO_ENERGY_METER_H */
