import numpy as np, hashlib, io, os
from PIL import Image
rng=np.random.default_rng(5)
W,H=45,37
y,x=np.mgrid[0:H,0:W]
img=np.zeros((H,W,3),np.float64)
img[...,0]=128+100*np.sin(x/5.0)*np.cos(y/7.0)
img[...,1]=(x*255/W)
img[...,2]=np.where((x//6+y//6)%2==0,230,20)
img+=rng.normal(0,18,img.shape)
img[10:20,30:40]=[255,255,255]; img[25:30,5:15]=[0,0,0]
img=np.clip(img,0,255).astype(np.uint8)
base=Image.fromarray(img)
out='/work/wt/face/crates/face/tests/data/jpeg/'
variants={
 'baseline_420_q90.jpg':dict(quality=90,subsampling=2),
 'baseline_422_q75.jpg':dict(quality=75,subsampling=1),
 'baseline_444_q100.jpg':dict(quality=100,subsampling=0),
 'baseline_420_q5.jpg':dict(quality=5,subsampling=2),
 'optimized_420_q85.jpg':dict(quality=85,subsampling=2,optimize=True),
 'progressive_420_q80.jpg':dict(quality=80,subsampling=2,progressive=True),
 'progressive_444_q95.jpg':dict(quality=95,subsampling=0,progressive=True),
 'restart_420_q85.jpg':dict(quality=85,subsampling=2,restart_marker_blocks=3),
}
lines=[]
for name,kw in variants.items():
    try:
        base.save(out+name,'JPEG',**kw)
    except TypeError as e:
        print('skip',name,e); continue
    a=np.array(Image.open(out+name).convert('RGB'))
    lines.append((name,hashlib.sha256(a.tobytes()).hexdigest()))
g=base.convert('L'); g.save(out+'grey_q90.jpg','JPEG',quality=90)
a=np.array(Image.open(out+'grey_q90.jpg').convert('RGB')); lines.append(('grey_q90.jpg',hashlib.sha256(a.tobytes()).hexdigest()))
g.save(out+'grey_progressive_q70.jpg','JPEG',quality=70,progressive=True)
a=np.array(Image.open(out+'grey_progressive_q70.jpg').convert('RGB')); lines.append(('grey_progressive_q70.jpg',hashlib.sha256(a.tobytes()).hexdigest()))
for n,h in lines: print(f'    ("{n}", "{h}"),')
