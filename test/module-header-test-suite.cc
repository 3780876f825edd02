/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ns3/module-header.h"
#include "ns3/packet.h"
#include "ns3/test.h"

#include <sstream>

using namespace ns3;

namespace
{

MessageFields
Fields()
{
    MessageFields f;
    f.type = MessageType::MODULE_PUSH;
    f.codec = ModuleCodec::INT8;
    f.round = 12;
    f.sender = 3;
    f.payloadLength = 1000;
    f.payloadCrc = 0x12345678;
    f.moduleId = "prompt/coarse";
    return f;
}

} // namespace

/// A ModuleHeader added to and removed from an ns-3 Packet keeps every field.
class ModuleHeaderRoundTripTestCase : public TestCase
{
  public:
    ModuleHeaderRoundTripTestCase()
        : TestCase("ModuleHeader survives Packet AddHeader and RemoveHeader")
    {
    }

  private:
    void DoRun() override
    {
        Ptr<Packet> p = Create<Packet>(100);
        ModuleHeader h(Fields());
        p->AddHeader(h);
        NS_TEST_ASSERT_MSG_EQ(p->GetSize(), 100 + 26 + 13 + 4, "header size");
        ModuleHeader back;
        const uint32_t n = p->RemoveHeader(back);
        NS_TEST_ASSERT_MSG_EQ(n, 26 + 13 + 4, "bytes consumed");
        NS_TEST_ASSERT_MSG_EQ(back.IsValid(), true, back.GetRejectDetail());
        NS_TEST_ASSERT_MSG_EQ((back.GetFields() == Fields()), true, "fields differ");
        NS_TEST_ASSERT_MSG_EQ(p->GetSize(), 100, "payload left");
        std::ostringstream os;
        back.Print(os);
        NS_TEST_ASSERT_MSG_NE(os.str().find("module=prompt/coarse"), std::string::npos, os.str());
    }
};

/// Deserialize() on damaged or short bytes reports a reason instead of trusting them.
class ModuleHeaderRejectsTestCase : public TestCase
{
  public:
    ModuleHeaderRejectsTestCase()
        : TestCase("ModuleHeader::Deserialize rejects damaged and short headers")
    {
    }

  private:
    void DoRun() override
    {
        Ptr<Packet> p = Create<Packet>(0);
        p->AddHeader(ModuleHeader(Fields()));
        std::vector<uint8_t> bytes(p->GetSize());
        p->CopyData(bytes.data(), bytes.size());

        bytes[10] ^= 0x01; // the round: the header CRC no longer matches
        Ptr<Packet> damaged = Create<Packet>(bytes.data(), bytes.size());
        ModuleHeader h;
        NS_TEST_ASSERT_MSG_EQ(damaged->PeekHeader(h), 0, "nothing consumed");
        NS_TEST_ASSERT_MSG_EQ(h.IsValid(), false, "damaged header accepted");
        NS_TEST_ASSERT_MSG_EQ(ToString(h.GetRejectReason()), "bad-header-checksum", "reason");

        bytes[10] ^= 0x01;
        Ptr<Packet> shortPacket = Create<Packet>(bytes.data(), 30);
        NS_TEST_ASSERT_MSG_EQ(shortPacket->PeekHeader(h), 0, "nothing consumed");
        NS_TEST_ASSERT_MSG_EQ(ToString(h.GetRejectReason()), "truncated", "reason");

        bytes[0] = 'h';
        Ptr<Packet> noMagic = Create<Packet>(bytes.data(), bytes.size());
        noMagic->PeekHeader(h);
        NS_TEST_ASSERT_MSG_EQ(ToString(h.GetRejectReason()), "bad-magic", "reason");
        std::ostringstream os;
        h.Print(os);
        NS_TEST_ASSERT_MSG_NE(os.str().find("invalid"), std::string::npos, os.str());
    }
};

/// The ns-3 test suite for ModuleHeader.
class ModuleHeaderTestSuite : public TestSuite
{
  public:
    ModuleHeaderTestSuite()
        : TestSuite("hffm-module-header", UNIT)
    {
        AddTestCase(new ModuleHeaderRoundTripTestCase, TestCase::QUICK);
        AddTestCase(new ModuleHeaderRejectsTestCase, TestCase::QUICK);
    }
};

static ModuleHeaderTestSuite g_moduleHeaderTestSuite; //!< static instance
