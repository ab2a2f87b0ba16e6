/** Test vectors of chats-api.md §8: official worked examples (D1–D6) and project vectors (V1–V7, W1). */

const OFFICIAL_SECRET = 'f2d7f8704eff95087ed45b23ba99c0b5aac8278e';
const OFFICIAL_CHANNEL = '344a5002-f8ca-454d-af3d-396180102ac7';
const OFFICIAL_SCOPE = '344a5002-f8ca-454d-af3d-396180102ac7_52e591f7-c98f-4255-8495-827210138c81';

const PROJECT_SECRET = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
const PROJECT_DATE = 'Thu, 01 Jan 2026 10:00:00 +0000';
const PROJECT_CHANNEL = 'f90ba33d-c9d9-44da-b76c-c349b0ecbe41';
const PROJECT_SCOPE = 'f90ba33d-c9d9-44da-b76c-c349b0ecbe41_af9945ff-1490-4cad-807d-945c15d88bec';

export interface RequestVector {
  name: string;
  secret: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  date: string;
  body: string;
  md5: string;
  signature: string;
}

export const REQUEST_VECTORS: RequestVector[] = [
  {
    name: 'D1 connect',
    secret: OFFICIAL_SECRET,
    method: 'POST',
    path: `/v2/origin/custom/${OFFICIAL_CHANNEL}/connect`,
    date: 'Wed, 15 Dec 2021 23:12:55 +0000',
    body: '{"account_id":"52e591f7-c98f-4255-8495-827210138c81","title":"ChatsIntegration","hook_api_version":"v2"}',
    md5: '2fbcb3c652b61e24e004daddfc73d0ce',
    signature: '81211856ce0c5095f3e1a90c0a38dc9d736cfd55',
  },
  {
    name: 'D2 disconnect',
    secret: OFFICIAL_SECRET,
    method: 'DELETE',
    path: `/v2/origin/custom/${OFFICIAL_CHANNEL}/disconnect`,
    date: 'Wed, 15 Dec 2021 23:59:28 +0000',
    body: '{"account_id":"52e591f7-c98f-4255-8495-827210138c81"}',
    md5: '271fa2e4fb0ff84a3ef9689027bd1f38',
    signature: 'e1678e3b6aa674b5127f4feb448e6200ce0bfc72',
  },
  {
    name: 'D3 typing',
    secret: OFFICIAL_SECRET,
    method: 'POST',
    path: `/v2/origin/custom/${OFFICIAL_SCOPE}/typing`,
    date: 'Thu, 16 Dec 2021 16:01:21 +0000',
    body: '{"conversation_id":"my_int-d5a421f7f218","sender":{"id":"my_int-1376265f-86df-4c49-a0c3-a4816df41af8"}}',
    md5: '255a22566d68be207fa36804e78a523a',
    signature: 'e8263b1daf2b20396c02db6c8c846f95cc0f9540',
  },
  {
    name: 'D4 delivery_status',
    secret: OFFICIAL_SECRET,
    method: 'POST',
    path: `/v2/origin/custom/${OFFICIAL_SCOPE}/079e44fb-fc22-476b-9e8a-421b688ec53b/delivery_status`,
    date: 'Thu, 16 Dec 2021 12:58:40 +0000',
    body: '{"msgid":"079e44fb-fc22-476b-9e8a-421b688ec53b","delivery_status":2,"error_code":905,"error":"Error text"}',
    md5: 'a0bbbac729c6341f0a521e2db7a8a236',
    signature: 'ca51f810785031385a801f41103244713c1a2352',
  },
  {
    name: 'D5 create chat (PHP-escaped JSON)',
    secret: OFFICIAL_SECRET,
    method: 'POST',
    path: `/v2/origin/custom/${OFFICIAL_SCOPE}/chats`,
    date: 'Thu, 16 Dec 2021 23:22:49 +0000',
    body: String.raw`{"conversation_id":"my_int-8e3e7640-49af-4448-a2c6-d5a421f7f217","source":{"external_id":"78001234567"},"user":{"id":"my_int-1376265f-86df-4c49-a0c3-a4816df41af9","avatar":"https:\/\/example.com\/users\/avatar.png","name":"\u0418\u043c\u044f \u043a\u043b\u0438\u0435\u043d\u0442\u0430","profile":{"phone":"+79151112233","email":"example.client@example.com"},"profile_link":"https:\/\/example.com\/profile\/example.client"}}`,
    md5: '5139e573382c0eae38f476822abb2014',
    signature: 'a601e486d694c8e7e8a5b637660f949f8bb7efaf',
  },
  {
    name: 'D6 new_message (PHP-escaped JSON)',
    secret: OFFICIAL_SECRET,
    method: 'POST',
    path: `/v2/origin/custom/${OFFICIAL_SCOPE}`,
    date: 'Thu, 16 Dec 2021 13:15:29 +0000',
    body: String.raw`{"event_type":"new_message","payload":{"timestamp":1639660529,"msec_timestamp":1639660529379,"msgid":"my_int-5f2836a8ca481","conversation_id":"my_int-d5a421f7f218","sender":{"id":"my_int-1376265f-86df-4c49-a0c3-a4816df41af8","avatar":"https:\/\/images.pexels.com\/photos\/10050979\/pexels-photo-10050979.jpeg?auto=compress&cs=tinysrgb&dpr=2&w=500","profile":{"phone":"+79151112233","email":"example.client@example.com"},"profile_link":"https:\/\/example.com\/profile\/example.client","name":"\u0412\u0430\u0441\u044f \u043a\u043b\u0438\u0435\u043d\u0442"},"message":{"type":"text","text":"\u0421\u043e\u043e\u0431\u0449\u0435\u043d\u0438\u0435 \u043e\u0442 \u043a\u043b\u0438\u0435\u043d\u0442\u0430"},"silent":false}}`,
    md5: '223ef85def871bc7cb58aa6f02f0a26e',
    signature: '29b49e9eaf03f13a66ecaff315f2855b31b25eee',
  },
  {
    name: 'V1 new_message',
    secret: PROJECT_SECRET,
    method: 'POST',
    path: `/v2/origin/custom/${PROJECT_SCOPE}`,
    date: PROJECT_DATE,
    body: '{"event_type":"new_message","payload":{"timestamp":1767261600,"msec_timestamp":1767261600000,"msgid":"int-msg-0001","conversation_id":"int-conv-0001","sender":{"id":"int-user-0001","name":"Test Client"},"message":{"type":"text","text":"Hello"},"silent":false}}',
    md5: 'f5aa03c095358fec15930f8ff31668a8',
    signature: '9a06b48f06a54fd0f6df0e8f4e5e090aa3f74aff',
  },
  {
    name: 'V2 history GET (query not signed)',
    secret: PROJECT_SECRET,
    method: 'GET',
    path: `/v2/origin/custom/${PROJECT_SCOPE}/chats/6cbab3d5-c4c1-46ff-b710-ad59ad10805f/history`,
    date: PROJECT_DATE,
    body: '',
    md5: 'd41d8cd98f00b204e9800998ecf8427e',
    signature: '3c9ac563d55d2a3a435fcadbda8d704651814522',
  },
  {
    name: 'V4 connect',
    secret: PROJECT_SECRET,
    method: 'POST',
    path: `/v2/origin/custom/${PROJECT_CHANNEL}/connect`,
    date: PROJECT_DATE,
    body: '{"account_id":"af9945ff-1490-4cad-807d-945c15d88bec","title":"My Channel","hook_api_version":"v2"}',
    md5: 'bde731f6ef3c86f046d11f3eaebe6771',
    signature: '717b05ef4a3092d532c5ecaf5a3eb268cd70e650',
  },
  {
    name: 'V5 disconnect',
    secret: PROJECT_SECRET,
    method: 'DELETE',
    path: `/v2/origin/custom/${PROJECT_CHANNEL}/disconnect`,
    date: PROJECT_DATE,
    body: '{"account_id":"af9945ff-1490-4cad-807d-945c15d88bec"}',
    md5: 'a83b67f10a7796047b2044449b01446d',
    signature: 'd58c007c1617a8326cc2407b34ea14c90cad719b',
  },
  {
    name: 'V6 new_message with non-ASCII (269 bytes)',
    secret: PROJECT_SECRET,
    method: 'POST',
    path: `/v2/origin/custom/${PROJECT_SCOPE}`,
    date: PROJECT_DATE,
    body: '{"event_type":"new_message","payload":{"timestamp":1767261600,"msec_timestamp":1767261600000,"msgid":"int-msg-0002","conversation_id":"int-conv-0001","sender":{"id":"int-user-0001","name":"Вася"},"message":{"type":"text","text":"Привет 👋"},"silent":false}}',
    md5: '2a10224d80f3e80e85056ed8077eeeef',
    signature: '8e180edf5755676483c8d33b67107c68c39acc05',
  },
];

export const PROJECT = { secret: PROJECT_SECRET, date: PROJECT_DATE, channel: PROJECT_CHANNEL, scope: PROJECT_SCOPE };

/** V7: the legacy body-only scheme over V4's body (recognised, never used). */
export const V7_LEGACY_SIGNATURE = 'e7378cdefd3482a1230f6cd13415abc2b054a621';

/** W1: webhook body signature. */
export const W1 = {
  body: '{"account_id":"af9945ff-1490-4cad-807d-945c15d88bec","time":1767261601,"message":{"receiver":{"id":"2ed64e26-70a1-4857-8382-bb066a076219","phone":"","email":"","client_id":"int-user-0001"},"sender":{"id":"76fc2bea-902f-425c-9a3d-dcdac4766090"},"conversation":{"id":"8e4d4baa-9e6c-4a88-838a-5f62be227bdc","client_id":"int-conv-0001"},"source":{"external_id":"src-1"},"timestamp":1767261600,"msec_timestamp":1767261600500,"message":{"id":"0371a0ff-b78a-4c7b-8538-a7d547e10692","type":"text","text":"Hi there","tag":"","media":"","thumbnail":"","file_name":"","file_size":0}}}',
  signature: '13cad3189333c3da627fe5c5b47dba8fc1cb2ce2',
  signatureWithTrailingNewline: 'b047e3a86a2bde0b61cfd08f5a3fbd57145522e1',
};
