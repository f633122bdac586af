"""The default keyword mapping set: radiology phrases asserting each head-CT trait, as plain data.

One entry per trait code of `curation.default_taxonomy` (the 30 findings: 35 traits with the 5 hemorrhage subtypes):

- ``phrases``: what asserts the trait (synonyms, abbreviations), matched case-insensitively on whole
  tokens; a hyphenated phrase also matches with a space, and a simple plural (-s/-es) matches too.
- ``exclusions``: a match of the trait inside or overlapping one of these is dropped ("mass effect"
  is not a mass; "scalp hematoma" is not intracranial).
- ``sections``: the report sections the mapping applies to (empty: every section).
- ``weight``: the curator's weight for candidate ranking (1.0 by default).
- ``normal_phrases``: statements that the anatomy is normal, asserting the trait absent
  ("the ventricles are normal in size").
- ``implies``: other traits a match also asserts (glioblastoma is a neoplasm and a mass).
- ``chronic``: a permanent lesion; "old", "remote", "prior" date it, so historical reads as present.

A ``*`` inside a phrase stands for up to four words ("chronic * infarct" matches "chronic left MCA
territory infarct"); the words may not be punctuation.

Subtype phrases also assert their parent (the taxonomy's ``parent``); the pipeline adds it.
"""

DEFAULT_MAPPING_VERSION = "default-1"

_EXTRACRANIAL_BLEED = (
    "scalp hematoma", "subgaleal hematoma", "subgaleal hemorrhage", "soft tissue hematoma", "soft-tissue hematoma",
    "scalp hemorrhage", "scalp contusion", "soft tissue contusion", "periorbital hematoma", "retro-orbital hematoma",
    "retrobulbar hematoma", "retrobulbar hemorrhage", "orbital hematoma", "orbital hemorrhage",
    "intraorbital hemorrhage", "sinus hemorrhage", "hemosinus", "cephalohematoma", "retinal hemorrhage",
    "subconjunctival hemorrhage", "hematoma of the scalp", "blood in the sinus", "blood in the maxillary sinus",
    "blood in the sphenoid sinus", "nasal bleed",
)

DEFAULT_MAPPINGS: dict[str, dict] = {
    "intracranial_hemorrhage": {
        "phrases": [
            "intracranial hemorrhage", "intracranial haemorrhage", "intracranial hematoma", "intracranial bleed",
            "intracranial bleeding", "intracranial blood", "ich", "hemorrhage", "haemorrhage", "hematoma",
            "haematoma", "bleed", "bleeding", "hyperdense blood", "acute blood", "blood products",
            "extra-axial collection", "extraaxial collection", "extra-axial fluid collection", "extra-axial hematoma",
            "extra-axial hemorrhage", "hemorrhagic", "hemorrhagic contusion", "contusion", "hyperdense collection",
            "intracranial blood products", "microhemorrhage",
        ],
        "exclusions": [*_EXTRACRANIAL_BLEED, "blood pressure", "hemorrhagic sinusitis"],
    },
    "epidural_hemorrhage": {
        "phrases": [
            "epidural hematoma", "epidural hemorrhage", "epidural haematoma", "epidural haemorrhage", "epidural bleed",
            "epidural blood", "epidural collection", "extradural hematoma", "extradural hemorrhage",
            "extradural haematoma", "extradural haemorrhage", "edh",
        ],
    },
    "subdural_hemorrhage": {
        "phrases": [
            "subdural hematoma", "subdural hemorrhage", "subdural haematoma", "subdural haemorrhage", "subdural bleed",
            "subdural blood", "subdural collection", "subdural fluid collection", "sdh", "subdural",
            "acute subdural", "chronic subdural", "subacute subdural", "acute-on-chronic subdural",
            "mixed-density subdural", "holohemispheric subdural",
        ],
        "exclusions": ["subdural hygroma", "subdural space", "subdural drain", "subdural electrode", "subdural grid"],
    },
    "subarachnoid_hemorrhage": {
        "phrases": [
            "subarachnoid hemorrhage", "subarachnoid haemorrhage", "subarachnoid blood", "subarachnoid bleed",
            "sah", "traumatic sah", "sulcal hemorrhage", "sulcal blood", "blood in the sulci",
            "blood within the sulci", "blood in the basal cisterns", "blood in the sylvian fissure",
            "convexity subarachnoid hemorrhage", "perimesencephalic hemorrhage",
        ],
    },
    "intraventricular_hemorrhage": {
        "phrases": [
            "intraventricular hemorrhage", "intraventricular haemorrhage", "intraventricular blood",
            "intraventricular extension", "ivh", "blood in the ventricles", "blood within the ventricles",
            "blood in the occipital horns", "layering blood in the occipital horns", "hemorrhage in the ventricles",
            "ventricular hemorrhage", "intraventricular hematoma",
        ],
    },
    "intraparenchymal_hemorrhage": {
        "phrases": [
            "intraparenchymal hemorrhage", "intraparenchymal haemorrhage", "intraparenchymal hematoma",
            "intraparenchymal blood", "intracerebral hemorrhage", "intracerebral haemorrhage", "intracerebral hematoma",
            "parenchymal hemorrhage", "parenchymal hematoma", "iph", "hemorrhagic contusion", "lobar hemorrhage",
            "basal ganglia hemorrhage", "thalamic hemorrhage", "putaminal hemorrhage", "cerebellar hemorrhage",
            "pontine hemorrhage", "hypertensive hemorrhage", "hemorrhagic transformation", "intra-axial hemorrhage",
            "intraaxial hemorrhage", "cerebral contusion", "parenchymal contusion",
        ],
    },
    "acute_infarct": {
        "normal_phrases": [
            "gray-white matter differentiation is preserved", "gray-white differentiation is preserved",
            "grey-white matter differentiation is preserved", "grey-white differentiation is preserved",
            "gray-white matter differentiation is maintained", "gray-white differentiation is maintained",
            "normal gray-white matter differentiation", "gray-white matter junction is preserved",
        ],
        "phrases": [
            "acute infarct", "acute infarction", "acute ischemic infarct", "acute ischemia", "acute ischemic stroke",
            "acute stroke", "subacute infarct", "subacute infarction", "acute to subacute infarct", "infarct",
            "infarction", "cytotoxic edema", "loss of gray-white matter differentiation",
            "loss of gray-white differentiation", "loss of grey-white matter differentiation",
            "loss of grey-white differentiation", "loss of the gray-white junction", "loss of the insular ribbon",
            "insular ribbon sign", "hyperdense mca sign", "dense mca sign", "hyperdense middle cerebral artery",
            "hyperdense vessel sign", "stroke", "cva", "territorial infarct", "ischemic stroke",
            "cerebral infarction", "evolving infarct",
            "acute * infarct", "acute * infarction", "subacute * infarct",
        ],
        "exclusions": [
            "old infarct", "old infarction", "chronic infarct", "chronic infarction", "remote infarct",
            "remote infarction", "prior infarct", "prior infarction", "lacunar infarct", "lacunar infarction",
            "old stroke", "chronic stroke", "remote stroke", "prior stroke", "old lacunar infarct",
            "chronic lacunar infarct", "old cortical infarct", "old territorial infarct", "chronic territorial infarct",
            "chronic ischemic infarct", "remote ischemic infarct", "old ischemic infarct",
            "old * infarct", "chronic * infarct", "remote * infarct", "old * infarction", "chronic * infarction",
            "remote * infarction", "prior * infarct", "chronic * stroke", "lacunar * infarct",
        ],
    },
    "depressed_skull_fracture": {
        "implies": ["fracture"],
        "phrases": [
            "depressed skull fracture", "depressed fracture", "depressed calvarial fracture",
            "depressed fracture fragment", "depressed bone fragment", "depressed fragment",
            "inward displacement of the fracture fragment", "comminuted depressed fracture",
            "depressed * fracture", "depressed * skull fracture",
        ],
    },
    "intracranial_mass": {
        "phrases": [
            "intracranial mass", "mass", "mass lesion", "space-occupying lesion", "extra-axial mass",
            "intra-axial mass", "solid mass", "cystic mass", "enhancing mass", "ring-enhancing lesion",
            "hyperdense mass", "hypodense mass", "intracranial lesion", "enhancing lesion",
        ],
        "exclusions": [
            "mass effect", "masslike", "soft tissue mass", "scalp mass", "nasal mass", "orbital mass",
            "sinus mass", "mass effect upon", "bone mass",
        ],
    },
    "midline_shift": {
        "phrases": [
            "midline shift", "shift of midline structures", "shift of the midline", "midline deviation",
            "deviation of the midline", "midline displacement", "subfalcine herniation", "subfalcine shift",
            "rightward shift", "leftward shift", "shift of the septum pellucidum", "septal shift", "mls",
            "midline shifting",
        ],
    },
    "cerebral_edema": {
        "phrases": [
            "cerebral edema", "cerebral oedema", "brain edema", "edema", "oedema", "vasogenic edema",
            "diffuse cerebral edema", "brain swelling", "cerebral swelling", "perilesional edema",
            "surrounding edema", "parenchymal edema", "diffuse brain swelling",
        ],
        "exclusions": [
            "scalp edema", "soft tissue edema", "soft-tissue edema", "periorbital edema", "subgaleal edema",
            "mucosal edema", "facial edema", "preseptal edema", "cytotoxic edema",
            # Edema told as an attribute of another lesion is not the trait: the paper's edema prevalence
            # (0.24%) against hemorrhage (5%) says its readers did not label perihematomal edema.
            "with surrounding edema", "with disproportionate surrounding edema", "with mild surrounding edema",
            "with perilesional edema", "perihematomal edema", "with minimal surrounding edema",
        ],
    },
    "hydrocephalus": {
        "normal_phrases": [
            "ventricles * are normal in size", "ventricles * are normal in caliber", "ventricles * are normal",
            "ventricles * are within normal limits", "ventricles * are unremarkable", "ventricular size is normal",
            "normal ventricular size", "ventricles * are not enlarged", "ventricular system is normal",
            "ventricles * are normal in size and configuration",
        ],
        "phrases": [
            "hydrocephalus", "ventriculomegaly", "ventricular enlargement", "enlarged ventricles",
            "enlargement of the ventricles", "dilated ventricles", "ventricular dilatation", "ventricular dilation",
            "obstructive hydrocephalus", "communicating hydrocephalus", "transependymal flow",
            "transependymal csf flow", "trapped ventricle", "entrapped ventricle", "nph",
            "normal pressure hydrocephalus", "dilatation of the ventricles", "enlarged lateral ventricles",
        ],
        "exclusions": ["hydrocephalus ex vacuo", "ex vacuo", "ex-vacuo", "ventricular enlargement ex vacuo"],
    },
    "pneumocephalus": {
        "phrases": [
            "pneumocephalus", "pneumocephaly", "intracranial air", "intracranial gas", "extra-axial air",
            "subdural air", "epidural air", "intraventricular air", "subarachnoid air", "tension pneumocephalus",
            "air within the cranial vault", "intracranial free air",
        ],
    },
    "fracture": {
        "normal_phrases": [
            "calvarium * is intact", "skull * is intact", "osseous structures * are intact",
            "calvarium and skull base are intact", "no acute osseous abnormality",
        ],
        "phrases": [
            "fracture", "fx", "skull fracture", "calvarial fracture", "facial fracture", "nasal bone fracture",
            "fractured", "fracture line", "nondisplaced fracture", "diastasis of the suture", "sutural diastasis",
            "basilar skull fracture", "skull base fracture", "temporal bone fracture", "occipital bone fracture",
            "fracture deformity", "fracture fragment",
        ],
        "exclusions": ["fracture fixation hardware"],
    },
    "aneurysm": {
        "phrases": [
            "aneurysm", "aneurysmal", "aneurysmal dilatation", "saccular aneurysm", "fusiform aneurysm",
            "berry aneurysm", "intracranial aneurysm", "giant aneurysm", "pseudoaneurysm",
        ],
        "exclusions": ["aneurysm clip", "aneurysm coil", "aneurysm clipping", "aneurysm coiling"],
    },
    "neoplasm": {
        "implies": ["intracranial_mass"],
        "phrases": [
            "neoplasm", "neoplastic", "tumor", "tumour", "malignancy", "glioma", "lymphoma", "primary brain tumor",
            "primary neoplasm", "neoplastic process", "astrocytoma", "oligodendroglioma", "medulloblastoma",
            "ependymoma", "pituitary adenoma", "macroadenoma", "schwannoma", "vestibular schwannoma",
            "acoustic neuroma", "craniopharyngioma", "hemangioblastoma", "cns lymphoma",
        ],
    },
    "glioblastoma": {
        "implies": ["neoplasm", "intracranial_mass"],
        "phrases": [
            "glioblastoma", "glioblastoma multiforme", "gbm", "high-grade glioma", "high grade glioma",
            "grade iv glioma", "grade 4 glioma", "grade iv astrocytoma", "butterfly glioma",
        ],
    },
    "metastasis": {
        "implies": ["neoplasm", "intracranial_mass"],
        "phrases": [
            "metastasis", "metastases", "metastatic disease", "metastatic lesion", "metastatic", "mets",
            "brain metastases", "intracranial metastases", "metastatic deposit", "leptomeningeal carcinomatosis",
            "leptomeningeal metastases", "metastatic focus", "metastatic foci",
        ],
    },
    "meningioma": {
        "implies": ["neoplasm", "intracranial_mass"],
        "phrases": [
            "meningioma", "meningiomatosis", "dural-based mass", "dural-based lesion", "falcine meningioma",
            "extra-axial dural-based mass", "dural based enhancing mass",
        ],
    },
    "colloid_cyst": {
        "phrases": [
            "colloid cyst", "third ventricular colloid cyst", "cyst at the foramen of monro",
            "foramen of monro cyst", "third ventricle colloid cyst",
        ],
    },
    "gunshot_wound": {
        "implies": ["fracture", "artifact_metal"],
        "phrases": [
            "gunshot wound", "gun shot wound", "gunshot", "gunshot injury", "gsw", "ballistic injury", "bullet",
            "bullet fragment", "missile track", "bullet track", "bullet tract", "missile injury", "projectile",
            "ballistic fragment", "shrapnel",
        ],
    },
    "old_infarct": {
        "exclusions": [
            "lacunar infarct", "lacunar infarction", "lacunar * infarct",
        ],
        "chronic": True,
        "phrases": [
            "old infarct", "old infarction", "chronic infarct", "chronic infarction", "remote infarct",
            "remote infarction", "prior infarct", "prior infarction", "old stroke", "remote stroke", "chronic stroke",
            "prior stroke", "old cortical infarct", "old territorial infarct", "chronic territorial infarct",
            "chronic ischemic infarct", "remote ischemic infarct", "old ischemic infarct", "sequela of prior infarct",
            "sequelae of prior infarct", "post-infarct", "chronic cortical infarct",
            "old * infarct", "chronic * infarct", "remote * infarct", "old * infarction", "chronic * infarction",
            "remote * infarction", "prior * infarct", "chronic * stroke",
        ],
    },
    "encephalomalacia": {
        "chronic": True,
        "phrases": [
            "encephalomalacia", "encephalomalacic", "encephalomalacic change", "gliosis", "porencephaly",
            "porencephalic", "porencephalic cyst", "cystic encephalomalacia", "post-traumatic encephalomalacia",
            "encephalomalacia and gliosis", "gliotic",
        ],
    },
    "lacune": {
        "chronic": True,
        "phrases": [
            "lacune", "lacunar infarct", "lacunar infarction", "lacunar", "lacunar stroke", "chronic lacunar infarct",
            "old lacunar infarct", "lacunar infarcts", "lacunae",
        ],
    },
    "white_matter_ischemia": {
        "chronic": True,
        "phrases": [
            "white matter ischemia", "white matter ischemic change", "small vessel ischemic change",
            "small vessel ischemic disease", "small vessel disease", "chronic small vessel ischemic change",
            "microvascular ischemic change", "microvascular ischemic disease", "chronic microvascular ischemic change",
            "microangiopathy", "microangiopathic change", "leukoaraiosis", "leukoariosis", "leukoaraiosis",
            "periventricular hypodensity", "periventricular hypodensities", "periventricular white matter hypodensity",
            "subcortical white matter hypodensity", "white matter hypodensity", "white matter hypodensities",
            "white matter hypoattenuation", "periventricular hypoattenuation", "white matter disease",
            "deep white matter hypodensity", "small vessel ischemia", "microvascular disease",
            "white matter changes", "small vessel ischemic changes", "microvascular ischemic changes",
            "periventricular and subcortical white matter hypodensity", "chronic small vessel disease",
        ],
    },
    "diffuse_volume_loss": {
        "normal_phrases": [
            "sulci * are normal", "sulci * are normal in size", "sulci * are within normal limits",
            "sulci * are appropriate for age", "age-appropriate ventricles and sulci",
        ],
        "chronic": True,
        "phrases": [
            "diffuse volume loss", "volume loss", "parenchymal volume loss", "cerebral volume loss",
            "generalized volume loss", "global volume loss", "atrophy", "cerebral atrophy", "brain atrophy",
            "diffuse atrophy", "generalized atrophy", "age-related atrophy", "involutional change",
            "involutional changes", "age-related volume loss", "prominence of the sulci", "prominent sulci",
            "sulcal prominence", "sulcal widening", "ex vacuo dilatation", "hydrocephalus ex vacuo", "ex vacuo",
            "cortical atrophy", "global atrophy", "age-appropriate volume loss", "senescent change",
            "prominence of the ventricles and sulci", "prominent ventricles and sulci",
        ],
        "exclusions": ["focal volume loss", "focal atrophy"],
    },
    "calcification": {
        "chronic": True,
        "phrases": [
            "calcification", "calcified", "calcific density", "calcific focus", "basal ganglia calcification",
            "dystrophic calcification", "parenchymal calcification", "calcified granuloma", "calcified lesion",
            "punctate calcification", "coarse calcification",
        ],
        "exclusions": [
            "vascular calcification", "atherosclerotic calcification", "calcified atherosclerosis",
            "carotid calcification", "calcification of the carotid siphons", "calcification of the carotid",
            "calcifications of the carotid siphons", "physiologic calcification", "pineal calcification",
            "choroid plexus calcification", "dural calcification", "falx calcification", "falcine calcification",
            "calcified plaque", "calcified atherosclerotic plaque", "arterial calcification",
            "intracranial arterial calcification", "calcification of the cavernous carotid", "calcified carotid",
            "calcified vertebral", "calcified carotid siphons", "carotid siphon calcification",
            "calcified falx", "calcified pineal", "calcified choroid", "calcified meningioma",
            "peripheral calcification", "rim calcification", "mural calcification", "calcified * aneurysm",
            "calcification of the * aneurysm", "calcified * atherosclerotic", "calcified * plaque",
        ],
    },
    "atherosclerosis": {
        "chronic": True,
        "phrases": [
            "atherosclerosis", "atherosclerotic", "atherosclerotic calcification", "atherosclerotic disease",
            "atherosclerotic change", "vascular calcification", "calcified atherosclerosis",
            "calcified atherosclerotic plaque", "atheromatous", "atheroma", "intracranial atherosclerosis",
            "carotid siphon calcification", "calcification of the carotid siphons",
            "calcification of the cavernous carotid", "calcified carotid siphons", "arterial calcification",
            "intracranial arterial calcification", "calcified plaque", "arteriosclerosis", "arteriosclerotic",
            "calcifications of the carotid siphons", "carotid calcification", "vascular calcifications",
        ],
    },
    "arachnoid_cyst": {
        "chronic": True,
        "phrases": [
            "arachnoid cyst", "retrocerebellar arachnoid cyst", "middle cranial fossa arachnoid cyst",
            "temporal arachnoid cyst", "extra-axial cyst", "extra-axial csf density cyst",
        ],
    },
    "lipoma": {
        "chronic": True,
        "phrases": [
            "lipoma", "intracranial lipoma", "pericallosal lipoma", "quadrigeminal lipoma", "fat density lesion",
            "fat-containing lesion", "interhemispheric lipoma",
        ],
        "exclusions": ["scalp lipoma", "subcutaneous lipoma", "soft tissue lipoma"],
    },
    "sinus_pathology": {
        "normal_phrases": [
            "sinuses * are clear", "sinuses * are well aerated", "sinuses * are well-aerated",
            "sinuses * are unremarkable", "sinuses * are normally aerated",
        ],
        "phrases": [
            "sinus disease", "sinusitis", "paranasal sinus disease", "mucosal thickening", "mucosal disease",
            "air-fluid level", "fluid level", "sinus opacification", "opacification of the sinus",
            "opacification of the maxillary sinus", "opacification of the sphenoid sinus",
            "opacification of the frontal sinus", "opacification of the ethmoid air cells",
            "opacified sinus", "opacified maxillary sinus", "mucous retention cyst", "retention cyst", "polyp",
            "sinonasal polyposis", "polyposis", "mucocele", "inflammatory sinus disease", "pansinusitis",
            "frothy secretions", "hemosinus", "blood in the sinus", "blood in the maxillary sinus",
            "blood in the sphenoid sinus", "sinus mass", "maxillary sinus disease", "ethmoid sinus disease",
            "sphenoid sinus disease", "frontal sinus disease", "mucoperiosteal thickening",
            "opacification of the * sinus", "opacified * sinus", "sinus inflammatory change",
            "inflammatory sinus change", "inflammatory changes in the * sinus", "mucosal thickening of the * sinus",
            "air-fluid level in the * sinus",
        ],
        "exclusions": ["mastoid air-fluid level", "middle ear fluid level",
            "opacification of the * mastoid", "opacified * mastoid", "fluid level in the * mastoid",
        ],
    },
    "mastoid_pathology": {
        "normal_phrases": [
            "mastoid air cells * are clear", "mastoid air cells * are well aerated",
            "mastoid air cells * are well-aerated", "mastoids * are clear", "mastoids * are well aerated",
            "mastoid air cells * are unremarkable", "mastoid air cells * are normally aerated",
        ],
        "phrases": [
            "mastoid opacification", "mastoid effusion", "opacification of the mastoid air cells",
            "opacification of the mastoid", "opacification of the left mastoid air cells",
            "opacification of the right mastoid air cells", "opacified mastoid air cells", "opacified mastoid",
            "mastoiditis", "mastoid fluid", "fluid in the mastoid air cells", "fluid within the mastoid air cells",
            "mastoid air cell opacification", "mastoid air cell fluid", "middle ear effusion", "otomastoiditis",
            "otomastoid opacification", "cholesteatoma", "mastoid air-fluid level", "mastoid disease",
            "partial opacification of the mastoid", "fluid in the mastoids",
            "fluid in the * mastoid", "fluid within the * mastoid", "opacification of the * mastoid",
            "opacified * mastoid", "effusion in the * mastoid", "fluid in the * mastoids",
        ],
    },
    "orbital_pathology": {
        "normal_phrases": [
            "orbits * are unremarkable", "orbits * are normal", "orbits * are intact",
            "orbits * are within normal limits",
        ],
        "phrases": [
            "proptosis", "exophthalmos", "orbital cellulitis", "preseptal cellulitis", "periorbital cellulitis",
            "orbital fracture", "orbital floor fracture", "blowout fracture", "blow-out fracture",
            "retrobulbar hematoma", "retro-orbital hematoma", "retrobulbar hemorrhage", "globe rupture",
            "ruptured globe", "lens dislocation", "orbital mass", "orbital hematoma", "orbital emphysema",
            "periorbital hematoma", "periorbital soft tissue swelling", "preseptal soft tissue swelling",
            "orbital foreign body", "intraorbital foreign body", "enlarged extraocular muscles",
            "thyroid eye disease", "orbital wall fracture", "lamina papyracea fracture", "orbital hemorrhage",
            "intraorbital hemorrhage", "orbital abscess", "subperiosteal abscess", "periorbital edema",
            "preseptal edema", "orbital pathology",
            "preseptal swelling", "periorbital swelling", "orbital soft tissue swelling",
            "preseptal soft tissue thickening", "periorbital soft tissue thickening",
        ],
    },
    "scalp_soft_tissue": {
        "normal_phrases": [
            "scalp soft tissues * are unremarkable", "soft tissues * are unremarkable", "scalp * is unremarkable",
            "extracranial soft tissues * are unremarkable",
        ],
        "phrases": [
            "scalp hematoma", "scalp swelling", "scalp soft tissue swelling", "soft tissue swelling",
            "soft-tissue swelling", "subgaleal hematoma", "subgaleal hemorrhage", "subgaleal fluid",
            "subgaleal collection", "scalp laceration", "laceration", "soft tissue hematoma", "soft tissue contusion",
            "scalp contusion", "cephalohematoma", "soft tissue edema", "scalp edema", "soft tissue injury",
            "soft tissue emphysema", "subcutaneous emphysema", "subcutaneous gas", "scalp lesion", "sebaceous cyst",
            "scalp mass", "soft tissue mass", "hematoma of the scalp", "scalp lipoma", "subcutaneous lipoma",
            "subgaleal edema", "soft tissue lipoma", "scalp abscess",
        ],
        "exclusions": ["periorbital soft tissue swelling", "preseptal soft tissue swelling",
            "soft tissues of the orbit", "orbital soft tissue swelling",
        ],
    },
    "artifact_metal": {
        "phrases": [
            "artifact", "streak artifact", "beam hardening artifact", "motion artifact", "metallic artifact",
            "metal artifact", "metallic streak artifact", "metallic foreign body", "metallic fragment", "metallic",
            "surgical clip", "aneurysm clip", "coil", "embolization coil", "aneurysm coil", "shunt catheter",
            "ventricular shunt", "ventriculostomy catheter", "vp shunt", "ventriculoperitoneal shunt", "evd",
            "external ventricular drain", "dental hardware", "dental amalgam", "dental artifact", "craniotomy plate",
            "surgical hardware", "hardware", "deep brain stimulator", "dbs lead", "foreign body", "metal",
            "streak artifacts", "ventricular catheter", "shunt tubing", "bullet fragment", "metallic density",
        ],
        "exclusions": ["orbital foreign body", "intraorbital foreign body"],
    },
}
