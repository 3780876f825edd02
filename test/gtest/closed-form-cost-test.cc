/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Expected values were worked out by hand from the formulas in closed-form-cost.h (noise
// 10^(-17.4) mW/Hz x 300 kHz = 1.1943e-15 W; gain 10^((-30 - 30 log10 d) / 10)) and checked
// with a separate calculation in Python.

#include "ns3/closed-form-cost.h"

#include <gtest/gtest.h>
#include <stdexcept>

using namespace ns3;

TEST(ClosedFormCost, PathGainAndShannonRateMatchHandComputedValues)
{
    const ClosedFormConfig c;                               // the reference's parameters
    EXPECT_NEAR(ChannelPowerGain(c, 1.0), 1e-3, 1e-15);     // beta0 = -30 dB at 1 m
    EXPECT_NEAR(ChannelPowerGain(c, 100.0), 1e-9, 1e-21);   // -30 - 60 dB
    EXPECT_NEAR(ChannelPowerGain(c, 1000.0), 1e-12, 1e-24); // -30 - 90 dB
    // SNR at 100 m: 0.2 W x 1e-9 / 1.1943e-15 W = 167459; 300 kHz x log2(1 + SNR)
    EXPECT_NEAR(ShannonRate(c, 100.0), 5206037.348, 0.01);
    EXPECT_NEAR(ShannonRate(c, 10.0), 8195770.051, 0.01);
    EXPECT_NEAR(ShannonRate(c, 1000.0), 2218876.354, 0.01);
    // a fading power gain of 0.5 halves the SNR
    EXPECT_NEAR(ShannonRate(c, 100.0, 0.5), 4906039.933, 0.01);
}

TEST(ClosedFormCost, TransferAndRoundCosts)
{
    const ClosedFormConfig c;
    const double bits = 6 * 8e6; // the reference's 6 MB module
    const TransferCost at100 = RadioTransferCost(c, bits, 100.0);
    EXPECT_NEAR(at100.seconds, 9.220064473, 1e-8);
    EXPECT_NEAR(at100.joules, 1.844012895, 1e-8); // 0.2 W x 9.22 s
    const TransferCost backhaul = BackhaulTransferCost(c, bits);
    EXPECT_NEAR(backhaul.seconds, 12.1, 1e-12); // 48 Mbit / 4 Mb/s + 0.1 s
    EXPECT_EQ(backhaul.joules, 0.0);

    // two devices in parallel: the slower one sets the time, energies add; then backhaul
    const TransferCost round
        = ClosedFormRound(c, {{bits, 100.0, 1.0}, {bits, 1000.0, 1.0}}, {bits, bits / 2});
    EXPECT_NEAR(round.seconds, 21.63257088 + 12.1, 1e-7);
    EXPECT_NEAR(round.joules, 1.844012895 + 4.326514175, 1e-8);
    EXPECT_EQ(ClosedFormRound(c, {}).seconds, 0.0);

    // a D2D phase first: member 1 sends twice at 100 m (2 x 9.220064473 s), member 2 once at
    // 1000 m (21.63257088 s) at the same time; then one upload at 100 m
    const TransferCost withD2d
        = ClosedFormRound(c, {{bits, 100.0, 1.0}}, {},
                          {{1, bits, 100.0, 1.0}, {1, bits, 100.0, 1.0}, {2, bits, 1000.0, 1.0}});
    EXPECT_NEAR(withD2d.seconds, 21.63257088 + 9.220064473, 1e-7);
    EXPECT_NEAR(withD2d.joules, 0.2 * (3 * 9.220064473 + 21.63257088), 1e-7);
}

TEST(ClosedFormCost, BadValuesAreNamed)
{
    ClosedFormConfig c;
    EXPECT_EQ(c.Check(), "");
    c.bandwidthHz = 0;
    EXPECT_NE(c.Check().find("bandwidthHz"), std::string::npos);
    c = ClosedFormConfig();
    c.backhaulDelayS = -1;
    EXPECT_NE(c.Check().find("backhaulDelayS"), std::string::npos);
    EXPECT_THROW(ChannelPowerGain(ClosedFormConfig(), 0.0), std::invalid_argument);
}
