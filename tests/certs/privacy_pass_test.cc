// Privacy Pass token type 2 (RFC 9578) against RFC 9578 Appendix A.2's
// five vectors, written in from the RFC text (the issuer's key, the
// challenge, the nonce, blind and salt it fixes, and the TokenRequest,
// TokenResponse and Token each must give), then what the vectors do not
// show: blindness, and every way a structure can be malformed.

#include "certs/privacy_pass.h"

#include <gtest/gtest.h>

#include "certs/hex.h"
#include "certs/pem.h"
#include "tests/support/expect_error.h"

namespace keydir {
namespace {

// clang-format off
constexpr const char* kSkSPemHex =
    "2d2d2d2d2d424547494e2050524956415445204b45592d2d2d2d2d0a4d494945765149424144414e42676b71686b6947"
    "397730424151454641415343424b63776767536a41674541416f49424151444c4775317261705831736334420a4f6b7a"
    "38717957355379356b6f6a41303543554b66717444774e38366a424b5a4f76457245526b49314c527876734d64533279"
    "61326333616b4745714c756b440a556a35743561496b3172417643655844644e44503442325055707851436e6969396e"
    "6b492b6d67725769744444494871386139793137586e6c5079596f784f530a646f6558563835464f314a752b62397336"
    "356d586d34516a7551394559614971383371724450567a50335758712b524e4d636379323269686763624c766d42390a"
    "6a41355334475666325a6c74785954736f4c364872377a58696a4e39463748627165676f753967654b524d584645352f"
    "2b4a3956595a634a734a624c756570480a544f72535a4d4948502b5358514d4166414f454a4547426d6d443068356667"
    "2f43473475676a79486e4e51383733414e4b6a55716d3676574574413872514c620a4530742b496c706641674d424141"
    "4543676745414c7a4362647a69316a506435384d6b562b434c6679665351322b7266486e7266724665502f5663447872"
    "75690a3270316153584a596962653645532b4d622f4d4655646c485067414c773178513457657266366336444373686c"
    "6c784c57535638477342737663386f364750320a6359366f777042447763626168474b556b5030456b62395330584c4a"
    "57634753473561556e484a585237696e7834635a6c666f4c6e7245516536685578734d710a6230644878644844424d64"
    "4766565777674b6f6a4f6a70532f39386d4555793756422f3661326c7265676c766a632f326e4b434b74593737443764"
    "54716c47460a787a414261577538364d435a342f5131334c762b426566627174493973715a5a776a7264556851483856"
    "437872793251564d515751696e57684174364d7154340a53425354726f6c5a7a7772716a65384d504a393175614e4d64"
    "58474c63484c49323673587a76374b53514b42675144766377735055557641395a325a583958350a6d49784d54424e64"
    "45467a56625550754b4b413179576e31554d444e63556a71682b7a652f376b337946786b68305146333162713630654c"
    "393047495369414f0a354b4f574d39454b6f2b7841513262614b314d664f5931472b386a7a42585570427339346b3533"
    "53383879586d4b366e796467763730424a385a6835666b55710a5732306f5362686b686a5264537a48326b5247697267"
    "2b5553774b426751445a4a4d6e7279324578612f3345713750626f737841504d69596e6b354a415053470a79327a305a"
    "375455622b7548514f2f2b78504d376e433075794c494d44396c61544d48776e3673372f4c62476f455031575267706f"
    "59482f4231346b2f526e360a667577524e3632496f397463392b41434c745542377674476179332b6752775974534332"
    "62356564386c4969656774546b6561306830754453527841745673330a6e356b796132513976514b4267464a75467a4f"
    "5a742b7467596e576e51554567573850304f494a45484d45345554644f637743784b7248527239334a6a7546320a4533"
    "77644b6f546969375072774f59496f614a5468706a50634a62626462664b792b6e735170315947763977644a724d6156"
    "774a6376497077563676315570660a56744c61646d316c6b6c7670717336474e4d386a6e4d30587833616a6d6d6e6665"
    "5739794758453570684d727a4c4a6c394630396349324c416f4742414e58760a75675658727032627354316f6b643675"
    "5361427367704a6a5065774e526433635a4b397a306153503144544131504e6b7065517748672f2b36665361564f487a"
    "0a79417844733968355272627852614e6673542b7241554837783153594456565159564d68555262546f5a6536472f6a"
    "716e544333664e6648563178745a666f740a306c6f4d4867776570362b53494d436f6565325a6374755a5633326c6349"
    "6166397262484f633764416f47416551386b3853494c4e4736444f413331544535500a6d3031414a49597737416c5233"
    "756f2f524e61432b78596450553354736b75414c78786944522f57734c455142436a6b46576d6d4a41576e5155447462"
    "6e594e0a536377523847324a36466e72454374627479733733574156476f6f465a6e636d504c50386c784c79626c5342"
    "44454c79615a762f624173506c4d4f39624435630a4a2b4e534261612b6f694c6c31776d4361354d43666c633d0a2d2d"
    "2d2d2d454e442050524956415445204b45592d2d2d2d2d0a";
constexpr const char* kPkS =
    "30820152303d06092a864886f70d01010a3030a00d300b0609608648016503040202a11a301806092a864886f70d0101"
    "08300b0609608648016503040202a2030201300382010f003082010a0282010100cb1aed6b6a95f5b1ce013a4cfcab25"
    "b94b2e64a23034e4250a7eab43c0df3a8c12993af12b111908d4b471bec31d4b6c9ad9cdda90612a2ee903523e6de5a2"
    "24d6b02f09e5c374d0cfe01d8f529c500a78a2f67908fa682b5a2b430c81eaf1af72d7b5e794fc98a3139276879757ce"
    "453b526ef9bf6ceb99979b8423b90f4461a22af37aab0cf5733f7597abe44d31c732db68a181c6cbbe607d8c0e52e065"
    "5fd9996dc584eca0be87afbcd78a337d17b1dba9e828bbd81e291317144e7ff89f55619709b096cbb9ea474cead264c2"
    "073fe49740c01f00e109106066983d21e5f83f086e2e823c879cd43cef700d2a352a9babd612d03cad02db134b7e225a"
    "5f0203010001";

struct Vector {
  const char* token_challenge;
  const char* nonce;
  const char* blind;
  const char* salt;
  const char* token_request;
  const char* token_response;
  const char* token;
};

const Vector kVectors[] = {
    {
     "0002000e6973737565722e6578616d706c65208e7acc900e393381e8810b7c9e4a68b5163f1f880ab6688a6ffe78"
     "0923609e88000e6f726967696e2e6578616d706c65",
     "aa72019d1f951df197021ce63876fe8b0a02dc1c31a12b0a2dd1508d07827f05",
     "425421de54c7381864ce36473abfb988c454fe6c27de863de702a6a2adca153fa2de47bd8fcd62734caa8ce1f920"
     "b77d980ab58c32d16dde54873f28ca968e8c125b8363514be68972f553655bcc7f80a284cc327e47e804a47333c5"
     "b3cdf773312cc7ad9fda748aed0baa7e19c5a2d1dafda718f086d7fc0a4bc02d488e0f20812daee335af7177b7a8"
     "369bd617066aed7a58f659f295c36b418827f679725b81ca14ea16fb82df21ad76da1ac38dcf24bf6252f8510e23"
     "08608ac9197f6cb54fdcb19db17837302a2b87d659c5605f35f3709a130f0c3d50e172f0cae36cbc9467f9914895"
     "a215a9e32443bcafff795273ccf8965a7eaa8c0b2184763e3e5c",
     "3d980852fa570c064204feb8d107098db976ef8c2137e8641d234bbd88a986fdb306a7af220cfadede08f51e1ef6"
     "1766",
     "0002086a95be84b63cfed0993bb579194a72a95057e1548ac463a9a5b33b011f2b2011d59487f01862f1d8e4d5ea"
     "42e73a660fbc3d010b944a54da3a4e0942f8894c0884589b438cb902e9a34278970f33c16f351f7dae58d273c3ab"
     "66ef368da36f785e89e24d1d983d5c34311cd21f290f9e89e8646ab0d0a48988fcd46230de5e7603cd12cc95c7ec"
     "5002e5e26737aa7eb69c626476e6c8d46510ee404a3d7daf3a23b7c66735d363ca13676925c6ed0117f60d165ce1"
     "f8ba616d041b6384baf6da3e2f757cb18e879a4f8595c2dc895ddf1f4279c75768d108b5c47f95f94e81e2d8b9c8"
     "b74476924ab3b7c45243fc99ac5466e8a3680ad37fa15c96010b274094",
     "675d84b751d9e593330ec4b6d7ab69c9a61517e98971f4b736150508174b4335761464f237be2d72bbae4b94dffc"
     "6143413f6351f1aa4efde6c32d4d6d9392a008290d56d1222f9b77a1336213e01934f7d972f3bf9ea5a5786c3213"
     "52f103b3667e605379a55f0fb925fbb09b8a9f85e7dd4b388a3b49d06fd70ba28f6a780e3bc8f6421554fd6c38b6"
     "3ef19f84ccfcf14709dd0b4d72213c1f060893854eba0ea1a147e275da320db5e9849882d5f9179efa8a2d8d3b80"
     "3f9d1445ef5c1f660be08883ce9b29a0a992fc035d2938cbb61c440044438dbb8b3ce7158a8f9827d230482f622d"
     "291406ab236b32b122627ae0fd36bd0d6b7607b8044ace404d44",
     "0002aa72019d1f951df197021ce63876fe8b0a02dc1c31a12b0a2dd1508d07827f055969f643b4cfda5196d4aa86"
     "aeb5368834f4f06de46950ed435b3b81bd036d44ca572f8982a9ca248a3056186322d93ca147266121ddeb5632c0"
     "7f1f71cd2708bc6a21b533d07294b5e900faf5537dd3eb33cee4e08c9670d1e5358fd184b0e00c637174f5206b14"
     "c7bb0e724ebf6b56271e5aa2ed94c051c4a433d302b23bc52460810d489fb050f9de5c868c6c1b06e3849fd08762"
     "9f704cc724bc0d0984d5c339686fcdd75f9a9cdd25f37f855f6f4c584d84f716864f546b696d620c5bd41a811498"
     "de84ff9740ba3003ba2422d26b91eb745c084758974642a42078201543246ddb58030ea8e722376aa82484dca961"
     "0a8fb7e018e396165462e17a03e40ea7e128c090a911ecc708066cb201833010c1ebd4e910fc8e27a1be467f7867"
     "1836a508257123a45e4e0ae2180a434bd1037713466347a8ebe46439d3da1970",
    },
    {
     "0002000e6973737565722e6578616d706c6500000e6f726967696e2e6578616d706c65",
     "98c1345ff38a554b429b428b0f206cfe4f3892f8041995f2c24873d90e84488d",
     "7bb85f89c9b83a0e2b02938b3396f06f8f3df0018a91f1a2cc5416aaa552994d063f634d50bea13bffe8d5e01431"
     "e646e2e384549cefd695ac3affff665a1ebf0113df2520006bd66e468d37a58266daa8a3a75692535e1fc46d0c1d"
     "6fb6f37c949808172e20c0b77a48570a1fcb474325bdd23cdbce52b5d6a9e39f7aec73b09004eae8c8bfff2b4b53"
     "3ea63bcf467a4cd95ccfb0cb4e43bc4992c1fd0be7a77a4475dbf8094cf25125ece901abbcea607a9050ad9f8ec3"
     "d0d66341f6eab40ee9c9c22c0b560b8377f8543d8878c7458885fd285c7556cc88fc6021617075b42c83a8600516"
     "9a6f13352e789b28fdbbe3d0288e1dd7c801497573893146aea3",
     "b6b4378421ab0ea677ce3f4036fd0489dee458ad81ea519c3e8bde3fcd5ec1505d28e110d7b44dcac5e04ecedd54"
     "d11a",
     "00020892d26a271c0104657ba10c0b5cb2827bb209d86e80027f96bfb861e0f40cb897f0fc426498433141ce9bc8"
     "b4a95914fefe4e40bdd3802a121cb0b59a4ae7e03255275c4abf071d991c82ead402606c0ef912178b0a0f68d303"
     "e06a966079230592827b84979dbcb5f21ab8904e9908638ddf705c4f8af8a053c19a66090726b60c6b4063976e4c"
     "66eab33522dd3f9d64828441db4aa82d55adcc3d3920592884cd1e5a3f490d5c81f1306705dcc5c61d82373f1dbd"
     "7d2ae4b2fea0f7339f5d868415f59312766e3074ee4a7305f5f053da82673ee6747a727a26d8d10ea1b1a3491d26"
     "b0c38b962c02a774ac78932153aae9dcc98a9b1db1f5389644682f7727",
     "113a5124c1aef6fc230d9fc42b789226f45ca941aad4da3f48cf37c7744a8d7fd1dcfd71cd39d09e9324760180ea"
     "0bade3360efaf7322a1fa15f41247be3857fde8c5c92ec6d67a7ee33be8fdadf8b27bb0db706117448e55bce9927"
     "cb6bfb1f87f9edb054181a4558af0c0d3973d7033b9599e674c20cf08a7bbcf0da815a2edaab7c4fb80dee4ea2cc"
     "53576a9691e857da931c6c592d2c69dd21afda8ea653dd90157adfe80e2375c08e75beb497df8b7b73192fbbd4e8"
     "0359d9bbaecea14e0acebdda92596f71ec1d57e26b6497b3152976bc07a4409148cb84389eb207fb8e8411060124"
     "08c6e19b4f964008b6a909aaab767a661a061c97da1643040455",
     "000298c1345ff38a554b429b428b0f206cfe4f3892f8041995f2c24873d90e84488d11e15c91a7c2ad02abd66645"
     "802373db1d823bea80f08d452541fb2b62b5898bca572f8982a9ca248a3056186322d93ca147266121ddeb5632c0"
     "7f1f71cd27083350a206c5e9b7c0898f97611ce0bb8d74d310bb194ab67e094e32ff6da90886924b1b9e7b569402"
     "c1101d896d2fc3a7371ef77f02310db1dc9f81c8535828c2d0e9d9051720d182cd54e1c2c3bf417da2fc7aa72bb7"
     "0ccc834ef274a2e809c9821b3d395d6535423f7428b3f29175d6eb840b4b7685336e57e2b6afeaabc0c17ea4f557"
     "e8a9cc2f624e245c6ccd7cbdd6c32c97c5c6974e802f688e2d25f0aba4215f609f692244517d5d3407e017227398"
     "2c001c158f5fcbe1b5d2447c26a87e89f5a9e72b498b0c59ce749823d2cf253d3cf6cd4e64fa0e434d95e4887892"
     "47a9ceed756ff4ff33a8d2402c0db381236d331092838b608a42002552092897",
    },
    {
     "0002000e6973737565722e6578616d706c65000017666f6f2e6578616d706c652c6261722e6578616d706c65",
     "9e7a22bdc5d715682434cebc07eb5fa53f622f776a17a6d91757af1592df0e71",
     "c52cabc5e4e131e0f5860cc4c486c5ee8a5fa8ae59484446121f87b0d8ccd037f161a99ebcc57f79d05a2ffc8526"
     "56ad2d0894fab8d1b0f998e6e678254ed5778da98b137371320314d06c24276e35435bccffa49d257687f270f9ce"
     "17926a074737546d5415a4bb9e624a6302562b395856632efb6992f6593a4f95fb342002efebc3046ca96bbc26ed"
     "b2f1a1454a24ce7b9a7ec8e44fb9e99c8144d409d8cd8a5903c0a3c0acbd9f82573ed1fc4a296e3eaf4867ade301"
     "10794678f422d36bd103ea4617d2472cf58da3381e52e5be60f4acbf685e280648cef21211a796ecd005ecbdaa10"
     "46c40950afca4c4e7dd4b8c19e504088489a15667b45895b6e92",
     "c847b5d0fa9101a1e09954ac9f3eed6600af58936295ad2e54274e13e640d59f732d07530c94c19c20668f03470c"
     "77ac",
     "0002080f6bd84fba1822c577c8cd670f1136cca107f84ddd9d405d5ed22ad15da975538f031433bad4a268899973"
     "2927efe2928d4c132389a122f40b639b083d6fcbbed7a55fb18db536d2dcbaefe6dc0a70730e6565b08a7dfd7839"
     "13a59f37d798de0cfc262c9e90a7ee884a3ec355eacbd44e5f6779fea6a785b05ac352fdd51a116cf2be1d8e38b0"
     "bfacd6a3d53a88c99f747cce908f86b33562691f540e3e88562092cd17cc2f78ce0fb53312a5f2dc918bdb1dc90d"
     "9d65091c7ba9080ccc1755cb5437989364dc92f0e8fea18f66d631451feb02a3d68af41de1a3f9be925dda5c4ca0"
     "706fc4ca28b3317e939f6573442c6d03be17cd141fa8260d382d134c6b",
     "2dd08ce89cf4f62bc236ab7b75266e13c57c750345e328e0bea107537c4cbeea5bfc990716950440628ea2e37dbc"
     "5c9c6d84f9a965cbf0cbfffb89516b1fd19a90d69cc52a28890bbdcf782f56aefadad85b6e861a74170ce910891c"
     "89e4293f37978dbd41cc8b5c68802de3d86d9f0326b9c22b8095122458966a6ddd1aeb3828d239c3b359efc9b375"
     "390eb19050d5656c2b084304d9bd8a81614f631bf82a7e4588413b44a0cb6d94e942fa134790b396cb71e3ed33b5"
     "57b5bd0734e726fa79abdca8694703b81d0e289b749801d4383e0d4f825dcde0dd98c43d3ba81c028dd8833a4fc2"
     "4961f60e118d4421dce5b611d53e9ca96156a52509bfa9afeb7e",
     "00029e7a22bdc5d715682434cebc07eb5fa53f622f776a17a6d91757af1592df0e710042eee45ac4dd5acb8f6e65"
     "c4d8dd47504f73f7463507ef96a4d7227d2774f3ca572f8982a9ca248a3056186322d93ca147266121ddeb5632c0"
     "7f1f71cd270815b010bbc0d5f55e9c856d2e9ffaefba007d33c2d5452fbeb0b15919b973e0dc9180aaeb18242043"
     "758d9fb0ac9ac5e04da9ff74ec93644ae6cdb7068ea76ce2295b9b95e383ed3a9856e9f618dafdf4cec5d2b53ea4"
     "297c2f3990babca71e3ccd6c07a437daae7ed27b6b81178fb7ce5fa5dd63781cc64ac1e410f441c034b0a5cc873a"
     "2ce875e8b38c92bab563635c4f8f4fa35d1f582ef19edf7da75aa11a503a82e32a12bd4da41e0ca7ec7f451caf58"
     "6f5b910003fcbbb9ff5ffa2408c28d6807737d03da651ea9bfafcc2747a6830e19a1d160fcd5c25d2f79dad86a8b"
     "3de8e926e08ca1addced72977f7b56398ef59c26e725df0a976a08f2a936ca42",
    },
    {
     "0002000e6973737565722e6578616d706c65000000",
     "494dae41fc7e300c2d09990afcd5d5e1fc95305337dc12f78942c45340bfe8e6",
     "097cb17bcedecfe058dff5c4e517d1e36d7ab8f46252b1ac1933ba378c32625c0dbc69f5655c2003bf39e7581079"
     "6cd63675b223cf3162c57108d56e0584cfce6cad829e74369ada38a095eb3012c912b31ccde7425f93464e353fb1"
     "7552be3a8df2913daca61543a33ae45058f218c471dfbc12fb304158e29b6ed35bc079e23f1e6173c5dec4545840"
     "bbe58e5ad37cbea0a10dca5d9df2781589d27c34108477b52c0d32a1370c17f703941fbb1a007a6794e7de275870"
     "9c9bbf80f21eec7922b9bb491eb6aac8c1a14764e648e6be4fff0ae913797067aa0826f366c3103e103b05653c73"
     "b52d7f825a185dccfb806da700db9f53abb848554b7d4f7c28f3",
     "49912979f1bf528e5b8228ab1328df74319dce7bdaf45821ceb1100dcf042a2dfe852fc9db59b64a5f6493c28250"
     "4240",
     "000208244840027ca8c620f8b14caded9a198ba388ccd8541e962f68a0071535d958d18494afd0bc11da4da8c8b3"
     "3864f5a8f623b697cd56348594e11a75479048a72c0ed179b070506c09a7eb6ed3582f572df38cf60fcde11a52c5"
     "ce6d7b23435b60200ad9f66d21f40f323c9aa54307d0b966d4457c37542b66bb183ddeafca914fc74831698b5d52"
     "f498ee3d165685f49a8d86e39fe6c4b7ec678f5250908d25e5b873c69b422368121aa4210cadd6fc640907d3cb9a"
     "7a3e827a0e742470f00c2f49dc6c0e8cc9470dbfd73df0ccbb96c10b02af0dd7dee719eca11ff8e1b4929e59f3cf"
     "319de9bda29a6d968b43083b5d4242f3448d76ada08b8014f70b97e719",
     "c2746ff644cffb28a2c19395fa19dfb61fd135daa837844fbf9fbe06c253e64e69f53aefddc0fb4833b1b5e58f57"
     "1134a34f245499c3e73419549c2c9111cf94f2f68fea3996d47f71e8d8d6fc5b1c074bf74fa59de4cbf32f5f08d4"
     "5ea45492f0279c3b1a8d852698edbe1651eb8e09eb223a27386c0feb2f6a8260235edb36cf433da518100829b631"
     "66284b325d87fc941ea3bafe7b6761b7082e09397837f74b4f0fc838bce8af7242089dd5561f57735926bcbad219"
     "fc9fee85ae49a8e8951f63ca194b7ff018c06ee02267e7267bb996432dc76973819da80e3e86947b0a4b36d3a972"
     "dafaaa3db0e1044b325f02c679996d9bcd3ce51390d54bc10b8c",
     "0002494dae41fc7e300c2d09990afcd5d5e1fc95305337dc12f78942c45340bfe8e6b741ec1b6fd05f1e95f89829"
     "06aec1612896d9ca97d53eef94ad3c9fe023f7a4ca572f8982a9ca248a3056186322d93ca147266121ddeb5632c0"
     "7f1f71cd2708a55c83dc04292b5d92add1a87b37e54f22f61c58840586f390c50b231824423378ddcf50e69dc817"
     "d45bfad06c7f2a0ac35d2acd7f26b0bc9954c192b0a0ef28a2a5650e390098dd3cb1166a7cb1716d3dd2d19dc5ca"
     "3b1ea6206359de0002d82bc4fa7e69fb07214b06addcbd2203d1e17f57fc580bcc5a13e0ac15cf942182cc2b5d6e"
     "aa737a712704114e357e2ec2f10047463ded02a1a0766dc346dd7212b9711e03ac95eb258ac1164104dc9a0d3e73"
     "8ae742ab5ed8c5139fc07145a788b9f891741ee68f0a66782b7b84a9bb4cb4b3d1b26b67106f397b35b641d882d7"
     "b0185168946de898ef72349a44a47dbdd6d46e9ba9ba543d5701b65c63d645c2",
    },
    {
     "0002000e6973737565722e6578616d706c65208e7acc900e393381e8810b7c9e4a68b5163f1f880ab6688a6ffe78"
     "0923609e880000",
     "a1aa8b371c37c9a8ddbd7342ab4f9dd5227d5b1600dca6517b60f63143cd43a3",
     "ad7a32e1ac31b91daefd7042cc23d5621ab3e870d87297bbfe1ee8a518ffc5b84770d3b77775c485b2d219954834"
     "868842d2f11877ac4bceb5da88944cca043a9afa52f9c9998a5dea7ab7c1f82662d0d327e29705a269ad221ae74a"
     "7c1172ff89c48997a9fda08886d3998bb538868396c0ace71d260cc71f768001939b24d80d88979f0244a3dbc004"
     "eadfac81e138d430b9fa51c1aad21b957ff96b3123c91c2fff362a386f0f99a3f9fc906ca626fd9107648f87532b"
     "44c4fe3856ecae1f46d8ebf5d2f46e52034478e5e883015666574dd80bd5c036c4b55ebcc8b660688d23944cc193"
     "2d075b559dcdc269fae3511761f71c113634e60d67accc8875fb",
     "35c04710ce866d879447b6230ce098a49e81be5c067881cce7bd5f92c1e5bd9b3c7d4d795cfad134fdfe916d735a"
     "624a",
     "0002083d6495c72529bbc4f5c0b49e94e4561baec1ca638a93b2940ea9e37b838db7b1a91ec1f257d49b45c4f751"
     "19c2ab9eb5578541ad2b9bac1bd627abc709097f503f83d98fed6dbeb615c3be9bf09cbf8ea25ea8026c1b8ba1c7"
     "04ff516ed87c3d7d85342fd00111d8a80492d4b8fdbb092a282f74f13901e5edc1b3b02cfe24c950affe6130fbb5"
     "7c1482d674db3c6944812ba081c2235a16d01eeec0932a8619d85732fc3e36179f0b50377bf9cb7a50ce3abeb3f3"
     "1ed5f0f3deec7aae7290f5397cec61318357d652b029a0fda0f100a78e36c4ef56ba3779963e8745fdf4e347763c"
     "63d825836878e249833a0f4bd315392cc06ccca2c955e921efbc4f941d",
     "8db727000018a98a2fe9fda8bbde5b8e9cedc31efbcaed6950eb1e0f8d9af9db632def52f74f07cdab304bbde405"
     "19080dd0388fb2b8900528b4791d2bca40aa2c2a6d1b92f010c1849bfb781cc813cc204855dd05e8a2dd31ea5220"
     "981b8ab6b008e153083dc8f594206440d66286fea9c21b56807be8655506ab7818bb9c8c69489dda56fe6390a539"
     "7268c8b5711f9d2df6f2584740cccf0345fd67f93f345426f33c078a0aceb90845df9eef74f6248d06c36d19e191"
     "da325b721ddc12ea78ed37b0c3b6170590536e3aee7eb0efc7d11a2c9d072a394f12ffa67ecf316c49efd8f31723"
     "b11fe46740636bd89ad4f7ef96bc38b2cb4916d9dc04ba1b2fc6",
     "0002a1aa8b371c37c9a8ddbd7342ab4f9dd5227d5b1600dca6517b60f63143cd43a3bb8a8cf1c59e7a251358ed76"
     "fe0ccff61044bc79dd261f16020324d22f2d434cca572f8982a9ca248a3056186322d93ca147266121ddeb5632c0"
     "7f1f71cd27082899f4bc385b4147a650a3e7efc7d23a743cb944bb53e2ed8b88ee03a9c0b1cf1f73fd7f15c1bd1f"
     "850a5a96a34d4ee9f295543f30ac920825e9a0ce26e924f2c145583019dd14408c565b660e8b702fbea559908b1a"
     "8c8f9d21ef22f7cc6a4641c57c146e6c5497d2890ca230a6749f5f83a8fdd79eba0722f10dff9e81a2fb2d05fa4d"
     "989acc2e93f595ae69c98c3daa3b169efcdd6e59596b2f049f16ba49528761f661032da65a3ee0fe8a22409766e9"
     "0daf8c60323c16522818c49273c795f26bbab306dc63cfc16fe1702af2464028cf819cc647d6f9b8a8f54d7d6585"
     "a268fdb8c75f76618c64aba266836a3b2db7cdd739815a021d7ff2b36ef91f23",
    },
};
// clang-format on

std::string unhex(const char* text) { return hexDecode(text).value(); }

EvpPkeyPtr issuerKey() { return privateKeyFromPem(unhex(kSkSPemHex)).value(); }

TEST(PrivacyPass, TheIssuersKeyEncodesToTheVectorsTokenKey) {
  EvpPkeyPtr key = issuerKey();
  EXPECT_EQ(hexEncode(encodeTokenKey(key.get()).value()), kPkS);
  // And back: the parsed key verifies what the private key signs.
  EXPECT_TRUE(parseTokenKey(unhex(kPkS)).has_value());
}

TEST(PrivacyPass, EachVectorsRequestResponseAndTokenAreReproduced) {
  EvpPkeyPtr key = issuerKey();
  const std::string token_key = unhex(kPkS);
  int index = 0;
  for (const Vector& vector : kVectors) {
    SCOPED_TRACE("vector " + std::to_string(++index));
    ASSERT_TRUE(parseTokenChallenge(unhex(vector.token_challenge)).has_value());
    FixedTokenRandomness fixed{unhex(vector.nonce), {unhex(vector.salt), "", unhex(vector.blind)}};
    auto draft = draftTokenRequest(token_key, unhex(vector.token_challenge), &fixed);
    ASSERT_TRUE(draft.has_value()) << draft.error().message;
    EXPECT_EQ(hexEncode(draft->request), vector.token_request);

    auto request = parseTokenRequest(draft->request);
    ASSERT_TRUE(request.has_value()) << request.error().message;
    auto response = issueTokenResponse(key.get(), *request);
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(hexEncode(*response), vector.token_response);

    auto token = finalizeToken(token_key, draft->pending, *response);
    ASSERT_TRUE(token.has_value()) << token.error().message;
    EXPECT_EQ(hexEncode(*token), vector.token);

    auto parsed = parseToken(*token);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(encodeToken(*parsed), *token);
    EXPECT_TRUE(verifyTokenSignature(*parsed, parseTokenKey(token_key)->get()).has_value());
  }
}

TEST(PrivacyPass, ChallengesRoundTripAndBadOnesSayWhatIsWrong) {
  TokenChallenge challenge{kBlindRsaTokenType, "cps.example", "", "cps.example"};
  const std::string bytes = encodeTokenChallenge(challenge);
  auto parsed = parseTokenChallenge(bytes);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->issuer_name, "cps.example");
  EXPECT_EQ(parsed->origin_info, "cps.example");
  testing::expectError(parseTokenChallenge(bytes + "x"), ErrorCode::kMalformed, "too many");
  testing::expectError(parseTokenChallenge(bytes.substr(0, 8)), ErrorCode::kMalformed,
                       "ends inside issuer_name");
  challenge.issuer_name.clear();
  testing::expectError(parseTokenChallenge(encodeTokenChallenge(challenge)), ErrorCode::kMalformed,
                       "no issuer");
  challenge.issuer_name = "cps.example";
  challenge.redemption_context = "short";
  testing::expectError(parseTokenChallenge(encodeTokenChallenge(challenge)), ErrorCode::kMalformed,
                       "empty or 32 bytes");
}

TEST(PrivacyPass, RequestsResponsesAndTokensOfTheWrongTypeOrLengthAreRefused) {
  const Vector& vector = kVectors[0];
  const std::string request = unhex(vector.token_request);
  const std::string token = unhex(vector.token);
  testing::expectError(parseTokenRequest(request.substr(0, 100)), ErrorCode::kMalformed,
                       "259 bytes");
  testing::expectError(parseTokenRequest(request + "\x01"), ErrorCode::kMalformed, "259 bytes");
  testing::expectError(parseTokenRequest(std::string("\x00\x01", 2) + request.substr(2)),
                       ErrorCode::kMalformed, "token_type 1");
  testing::expectError(parseTokenRequest(""), ErrorCode::kMalformed, "ends inside token_type");
  testing::expectError(parseTokenResponse(unhex(vector.token_response).substr(1)),
                       ErrorCode::kMalformed, "256 bytes");
  testing::expectError(parseToken(token.substr(0, 353)), ErrorCode::kMalformed, "354 bytes");
  testing::expectError(parseToken(token + std::string(1, '\0')), ErrorCode::kMalformed,
                       "354 bytes");
  testing::expectError(parseToken(std::string("\x00\x01", 2) + token.substr(2)),
                       ErrorCode::kMalformed, "token_type 1");
}

TEST(PrivacyPass, OneFlippedBitAnywhereInATokenIsCaught) {
  const std::string token = unhex(kVectors[0].token);
  EvpPkeyPtr key = parseTokenKey(unhex(kPkS)).value();
  for (std::size_t bit = 0; bit < token.size() * 8; bit += 7) {
    std::string flipped = token;
    flipped[bit / 8] = char(flipped[bit / 8] ^ (1 << (bit % 8)));
    auto parsed = parseToken(flipped);
    // The first two bytes are the type: parse refuses; the rest, the signature.
    if (bit < 16) {
      EXPECT_FALSE(parsed.has_value()) << "bit " << bit;
    } else {
      ASSERT_TRUE(parsed.has_value());
      EXPECT_FALSE(verifyTokenSignature(*parsed, key.get()).has_value()) << "bit " << bit;
    }
  }
}

TEST(PrivacyPass, TokenKeysOfOtherShapesAreRefused) {
  const std::string spki = unhex(kPkS);
  testing::expectError(parseTokenKey(spki.substr(0, spki.size() - 1)), ErrorCode::kMalformed, "");
  std::string other_salt = spki;
  other_salt[66] = 0x20;  // saltLength 32, not 48
  testing::expectError(parseTokenKey(other_salt), ErrorCode::kUnsupportedKey, "salt 48");
  EvpPkeyPtr small(EVP_RSA_gen(1024));
  testing::expectError(encodeTokenKey(small.get()), ErrorCode::kUnsupportedKey, "2048-bit");
}

// Shown, not claimed: what the issuer sees (the TokenRequest) and what the
// redeemer sees (the Token) share no run of 8 bytes, so neither can match
// one to the other, yet the token verifies.
TEST(PrivacyPass, TheIssuersViewAndTheRedeemedTokenShareNothing) {
  EvpPkeyPtr key = issuerKey();
  const std::string token_key = unhex(kPkS);
  const std::string challenge =
      encodeTokenChallenge({kBlindRsaTokenType, "cps.example", "", "cps.example"});
  for (int round = 0; round < 20; ++round) {
    auto draft = draftTokenRequest(token_key, challenge);
    ASSERT_TRUE(draft.has_value());
    auto response = issueTokenResponse(key.get(), parseTokenRequest(draft->request).value());
    ASSERT_TRUE(response.has_value());
    const std::string token = finalizeToken(token_key, draft->pending, *response).value();
    const std::string seen_by_issuer = draft->request + *response;
    // The token's type and key id are the same in every token of this key;
    // an 8-byte run is long enough that only a shared value would match.
    const std::string& redeemed = token;
    for (std::size_t at = 0; at + 8 <= redeemed.size(); ++at) {
      const std::string run = redeemed.substr(at, 8);
      ASSERT_EQ(seen_by_issuer.find(run), std::string::npos)
          << "round " << round << ": 8 bytes of the token at " << at << " were seen at issuance";
    }
    EXPECT_TRUE(verifyTokenSignature(parseToken(token).value(), key.get()).has_value());
  }
}

}  // namespace
}  // namespace keydir
