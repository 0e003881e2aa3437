#!/usr/bin/env bash
# Seeds each fuzz target's corpus with real inputs: the public specimens in
# ../shared/vectors/emrtd/pa and the minted test document. Run from this directory,
# then e.g. `cargo +nightly fuzz run sod -- -max_total_time=120`.
set -euo pipefail
cd "$(dirname "$0")"
M=../testdata/minted/id-card-p256
S=../../../../shared/vectors/emrtd/pa
mkdir -p corpus/{sod,master_list,dg1,dg2,dg11,dg14,dg15,face_image}
cp $M/EF_SOD.bin corpus/sod/minted
cp $S/es_dnie_specimen/EF_SOD.bin corpus/sod/es
cp $S/nl_specimen_2006/EF_SOD_011D.bin corpus/sod/nl
cp $M/masterlist.ml $M/CSCA.der $M/CSCA.crl $S/trust/DE_ROOT_CA_CSCA07.cer corpus/master_list/
cp $M/DG1.bin corpus/dg1/td1
cp $S/nl_specimen_2006/EF_DG1_0101.bin corpus/dg1/td3
cp $M/EF_COM.bin corpus/dg1/com
cp $M/DG2.bin corpus/dg2/jpeg
cp $S/nl_specimen_2006/EF_DG2_0102.bin corpus/dg2/jp2
cp $M/DG11.bin corpus/dg11/
cp $M/DG14.bin $M/EF_CardAccess.bin corpus/dg14/
cp $S/nl_specimen_2006/EF_DG15_010F.bin corpus/dg15/rsa
cp ../../chip-sim/assets/synthetic-face.jp2 corpus/face_image/
python3 - "$M/DG2.bin" corpus/face_image/face.jpg <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
open(sys.argv[2], 'wb').write(data[data.index(b'\xff\xd8'):])
PY
