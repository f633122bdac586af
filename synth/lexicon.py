"""How radiologists phrase each trait: positive, hedged and historical sentences, and normal statements.

Templates take fields from the rendered finding ({side}, {size}, {loc}, {acuity}, ...). The
sentence families are kept apart so the report writer can state exactly what it asserts.
"""

SIDE = "{side}"

PRESENT = {
    "subdural_hemorrhage": (
        "There is {a_acuity} {side} holohemispheric subdural hematoma measuring up to {size} mm in thickness.",
        "{Acuity} {side} convexity subdural hematoma, maximal thickness {size} mm.",
        "Crescentic extra-axial collection along the {side} cerebral convexity compatible with {acuity} SDH.",
        "{Acuity} SDH overlying the {side} hemisphere, up to {size} mm.",
        "A {side}-sided subdural hemorrhage is seen measuring {size} mm.",
    ),
    "epidural_hemorrhage": (
        "Biconvex hyperdense extra-axial collection in the {side} {loc} region consistent with epidural hematoma.",
        "{side_cap} {loc} epidural hematoma measuring {size} mm in thickness.",
        "Acute {side} EDH, {size} mm, with lentiform configuration.",
        "There is an epidural hemorrhage over the {side} {loc} convexity.",
    ),
    "subarachnoid_hemorrhage": (
        "Hyperdense blood is present within the basal cisterns and sylvian fissures, consistent with subarachnoid hemorrhage.",
        "There is {pattern} subarachnoid hemorrhage.",
        "SAH is noted within the sulci of the {side} hemisphere.",
        "Subarachnoid blood layers in the sulci and interhemispheric fissure.",
        "Acute SAH, {pattern} in distribution.",
    ),
    "intraventricular_hemorrhage": (
        "There is intraventricular hemorrhage layering in the occipital horns.",
        "Blood is seen within the lateral ventricles (IVH).",
        "Intraventricular extension of hemorrhage is present.",
        "Hyperdense material in the ventricular system consistent with intraventricular hemorrhage.",
    ),
    "intraparenchymal_hemorrhage": (
        "There is a {size} mm acute intraparenchymal hematoma in the {side} {loc} region with surrounding edema.",
        "{side_cap} {loc} intraparenchymal hemorrhage measuring {size} mm.",
        "Acute IPH centered in the {side} {loc} region.",
        "A hyperdense parenchymal hematoma is present in the {side} {loc} region, compatible with ICH.",
        "Intracerebral hemorrhage in the {side} {loc} region, {size} mm.",
    ),
    "acute_infarct": (
        "Loss of gray-white differentiation in the {side} MCA territory consistent with acute infarct.",
        "Hypodensity with sulcal effacement in the {side} frontotemporal region compatible with acute ischemic stroke.",
        "Acute {side} MCA territory infarction.",
        "There is an evolving acute infarct in the {side} cerebral hemisphere.",
    ),
    "depressed_skull_fracture": (
        "Depressed fracture of the {side} calvarium with {size} mm of inward displacement.",
        "There is a depressed skull fracture on the {side}.",
        "Comminuted depressed {side} skull fracture.",
    ),
    "intracranial_mass": (
        "There is a {size} mm mass in the {side} {loc} lobe.",
        "A space-occupying lesion is present in the {side} {loc} lobe measuring {size} mm.",
        "{side_cap} {loc} mass lesion, {size} mm.",
        "Hyperdense mass in the {side} {loc} region.",
    ),
    "midline_shift": (
        "There is {size} mm of {dir}ward midline shift.",
        "Midline shift to the {dir} measures {size} mm.",
        "Mass effect with {size} mm {dir}ward shift of the septum pellucidum.",
        "{size} mm MLS to the {dir}.",
    ),
    "cerebral_edema": (
        "Surrounding vasogenic edema is present.",
        "There is associated cerebral edema in the {side} hemisphere.",
        "Extensive white matter edema surrounds the lesion.",
        "Vasogenic edema with mass effect on the adjacent sulci.",
    ),
    "hydrocephalus": (
        "The ventricles are dilated out of proportion to the sulci, consistent with hydrocephalus.",
        "There is {severity} hydrocephalus with enlarged lateral and third ventricles.",
        "Ventriculomegaly with rounded frontal horns and dilated temporal horns, compatible with hydrocephalus.",
        "{Severity} communicating hydrocephalus.",
    ),
    "pneumocephalus": (
        "Small foci of pneumocephalus are seen along the frontal convexities.",
        "There is a small amount of intracranial air anteriorly.",
        "Pneumocephalus is present.",
        "Scattered foci of extra-axial air in the frontal region.",
    ),
    "fracture": (
        "There is a nondisplaced linear fracture of the {side} calvarium.",
        "Linear {side} skull fracture.",
        "A fracture line traverses the {side} calvarium.",
        "Acute nondisplaced {side} calvarial fracture.",
    ),
    "aneurysm": (
        "A {size} mm rounded hyperdensity with peripheral calcification near the {side} circle of Willis likely represents an aneurysm.",
        "Calcified {side} supraclinoid aneurysm measuring {size} mm.",
        "There is a {size} mm aneurysm arising from the {side} internal carotid terminus.",
    ),
    "neoplasm": (
        "A heterogeneous partly cystic mass in the {side} {loc} lobe is compatible with neoplasm.",
        "{side_cap} {loc} lesion most consistent with a primary brain tumor.",
        "There is a neoplasm in the {side} {loc} lobe measuring {size} mm.",
    ),
    "glioblastoma": (
        "A large heterogeneous mass with central necrosis in the {side} {loc} lobe is compatible with glioblastoma.",
        "{side_cap} {loc} mass with necrotic center, most consistent with high-grade glioma (GBM).",
        "Infiltrative necrotic {side} {loc} mass typical of glioblastoma multiforme.",
    ),
    "metastasis": (
        "There are {count_words} rounded lesion(s) with disproportionate surrounding edema, compatible with metastatic disease.",
        "Multiple enhancing-appearing lesions at the gray-white junction consistent with metastases.",
        "Findings compatible with intracranial metastasis.",
    ),
    "meningioma": (
        "There is a {size} mm homogeneous hyperdense extra-axial mass along the {side} convexity, compatible with meningioma.",
        "Dural-based {side} convexity mass consistent with meningioma.",
        "{side_cap} convexity meningioma, {size} mm.",
    ),
    "colloid_cyst": (
        "There is a hyperdense lesion at the foramen of Monro compatible with colloid cyst.",
        "Colloid cyst in the anterior third ventricle.",
        "Small rounded hyperdensity at the foramen of Monro, consistent with a colloid cyst.",
    ),
    "gunshot_wound": (
        "There is a transcranial gunshot wound with a {side}-sided entry site, hemorrhagic tract and retained metallic fragments.",
        "Ballistic injury with bullet tract traversing the {side} cerebral hemisphere.",
        "Findings of a gunshot wound to the head with intracranial bullet fragments.",
    ),
    "old_infarct": (
        "Chronic {side} {territory} territory infarct.",
        "There is a chronic infarct in the {side} {territory} distribution.",
        "Old {side} {territory} infarct.",
        "Chronic infarction in the {side} {territory} territory.",
    ),
    "encephalomalacia": (
        "Encephalomalacia in the {side} {loc} lobe.",
        "Focal {side} {loc} encephalomalacia, likely post-traumatic.",
        "There is an area of encephalomalacia involving the {side} {loc} lobe.",
    ),
    "lacune": (
        "Lacunar infarct in the {side} {loc}.",
        "Chronic lacunes in the {loc}.",
        "There is a small lacune in the {side} {loc}.",
        "Old lacunar infarcts involving the {loc}.",
    ),
    "white_matter_ischemia": (
        "{Severity} periventricular and subcortical white matter hypodensities, likely chronic microvascular ischemic change.",
        "There are patchy white matter hypoattenuating foci compatible with {severity} small vessel ischemic disease.",
        "{Severity} chronic small vessel ischemic changes.",
        "Periventricular WM hypodensity consistent with microangiopathy.",
    ),
    "diffuse_volume_loss": (
        "There is {severity} diffuse parenchymal volume loss with prominence of the sulci and ventricles.",
        "{Severity} generalized cerebral atrophy.",
        "The sulci and ventricles are prominent, consistent with age-related volume loss.",
        "Diffuse cerebral volume loss.",
    ),
    "calcification": (
        "There are calcifications in the {loc}.",
        "Punctate calcification in the {loc}.",
        "{Loc} calcification is noted.",
    ),
    "atherosclerosis": (
        "Atherosclerotic calcifications of the cavernous carotid arteries.",
        "Vascular calcification in the carotid siphons and vertebral arteries.",
        "There is intracranial atherosclerosis.",
    ),
    "arachnoid_cyst": (
        "A CSF-density extra-axial cyst in the {loc} region is compatible with an arachnoid cyst.",
        "{Loc} arachnoid cyst.",
        "There is an arachnoid cyst in the {side} {loc} region.",
    ),
    "lipoma": (
        "Fat-density lesion in the {loc} region consistent with lipoma.",
        "There is a small {loc} lipoma.",
        "Incidental {loc} intracranial lipoma.",
    ),
    "sinus_pathology": (
        "There is {pattern} of the {sinuses} sinus.",
        "{Pattern} is seen in the {sinuses} sinus.",
        "Paranasal sinus disease with {pattern} in the {sinuses} sinus.",
        "Sinus inflammatory changes involving the {sinuses} sinus.",
    ),
    "mastoid_pathology": (
        "There is opacification of the {side} mastoid air cells.",
        "{side_cap} mastoid effusion.",
        "Fluid in the {side} mastoid air cells.",
    ),
    "orbital_pathology": (
        "There is {kind} involving the {side} orbit.",
        "{side_cap} orbital {kind}.",
        "Abnormal soft tissue in the {side} orbit ({kind}).",
    ),
    "scalp_soft_tissue": (
        "There is a {side} scalp {kind} measuring {size} mm.",
        "{side_cap} parietal subgaleal hematoma.",
        "Soft tissue swelling over the {side} calvarium.",
        "{side_cap} scalp hematoma.",
    ),
    "artifact_metal": (
        "Streak artifact from a {kind} limits evaluation of the adjacent brain.",
        "Metallic artifact from {kind} obscures the {side} hemisphere.",
        "Beam hardening artifact related to a {kind}.",
    ),
}

# The order a radiologist dictates findings in: blood and mass effect first, incidental findings last.
FINDINGS_ORDER = (
    "epidural_hemorrhage", "subdural_hemorrhage", "subarachnoid_hemorrhage", "intraparenchymal_hemorrhage",
    "intraventricular_hemorrhage", "gunshot_wound", "glioblastoma", "metastasis", "meningioma", "neoplasm",
    "intracranial_mass", "cerebral_edema", "midline_shift", "hydrocephalus", "acute_infarct", "old_infarct",
    "encephalomalacia", "lacune", "white_matter_ischemia", "diffuse_volume_loss", "colloid_cyst", "arachnoid_cyst",
    "lipoma", "aneurysm", "calcification", "atherosclerosis", "pneumocephalus", "depressed_skull_fracture",
    "fracture", "scalp_soft_tissue", "sinus_pathology", "mastoid_pathology", "orbital_pathology", "artifact_metal",
)

# Hedged sentences: the trait may be there. Used for true findings read cautiously and as pure hedges.
HEDGED = {
    "subdural_hemorrhage": ("A thin {side} subdural hematoma cannot be excluded.", "Possible small {side} SDH."),
    "subarachnoid_hemorrhage": ("Subtle hyperdensity in the sulci may represent subarachnoid hemorrhage.",
                                "Trace SAH cannot be excluded."),
    "intraparenchymal_hemorrhage": ("Focal hyperdensity in the {side} {loc} region may represent a small intraparenchymal hemorrhage.",),
    "acute_infarct": ("Questionable subtle hypodensity in the {side} MCA territory; early infarct cannot be excluded.",
                      "Possible early ischemic change in the {side} hemisphere."),
    "fracture": ("Possible nondisplaced fracture of the {side} calvarium versus vascular groove.",),
    "intracranial_mass": ("An underlying mass cannot be excluded.",),
    "white_matter_ischemia": ("Mild white matter hypodensity may represent chronic small vessel ischemic change.",),
    "diffuse_volume_loss": ("Possible mild volume loss.",),
    "sinus_pathology": ("Minimal mucosal thickening may represent sinusitis.",),
    "lacune": ("A tiny hypodensity in the {loc} may represent a lacune versus a perivascular space.",),
    "hydrocephalus": ("Ventricles are mildly prominent; early hydrocephalus is not excluded.",),
}

# History of a trait that is gone now (only written when the trait is absent and there is a prior).
HISTORICAL = {
    "subdural_hemorrhage": ("Interval resolution of the previously seen subdural hematoma.",
                            "The previously noted SDH has resolved."),
    "subarachnoid_hemorrhage": ("Previously seen subarachnoid hemorrhage has resolved.",),
    "intraparenchymal_hemorrhage": ("Interval resolution of the prior intraparenchymal hemorrhage.",),
    "epidural_hemorrhage": ("The prior epidural hematoma has been evacuated and is no longer seen.",),
    "midline_shift": ("The previously seen midline shift has resolved.",),
    "hydrocephalus": ("Previously seen hydrocephalus has resolved following shunting.",),
    "pneumocephalus": ("Interval resolution of pneumocephalus.",),
}

# Normal statements: each negates all its codes; written only when every code is asserted absent.
NEGATED = (
    (("No acute intracranial hemorrhage.", "There is no intracranial hemorrhage.", "No evidence of ICH.",
      "No intracranial bleed."), ("intracranial_hemorrhage",)),
    (("No extra-axial fluid collection.", "No subdural or epidural collection."),
     ("subdural_hemorrhage", "epidural_hemorrhage")),
    (("No mass effect or midline shift.", "There is no midline shift.", "No MLS."), ("midline_shift",)),
    (("No intracranial mass.", "No mass lesion is identified."), ("intracranial_mass",)),
    (("Gray-white matter differentiation is preserved.", "No CT evidence of acute infarct.",
      "No acute territorial infarct."), ("acute_infarct",)),
    (("The ventricles are normal in size.", "No hydrocephalus."), ("hydrocephalus",)),
    (("Ventricles and sulci are normal in size and configuration for age.",),
     ("hydrocephalus", "diffuse_volume_loss")),
    (("The calvarium is intact.", "No skull fracture.", "No acute fracture."),
     ("fracture", "depressed_skull_fracture")),
    (("No pneumocephalus.",), ("pneumocephalus",)),
    (("The visualized paranasal sinuses are clear.", "Paranasal sinuses are well aerated."), ("sinus_pathology",)),
    (("Mastoid air cells are clear.", "The mastoid air cells are well aerated."), ("mastoid_pathology",)),
    (("The orbits are unremarkable.", "Visualized orbits are normal."), ("orbital_pathology",)),
    (("The scalp soft tissues are unremarkable.", "No scalp hematoma."), ("scalp_soft_tissue",)),
    (("No cerebral edema.",), ("cerebral_edema",)),
)

NORMAL_IMPRESSION = ("No acute intracranial abnormality.", "No acute intracranial process.",
                     "Unremarkable noncontrast CT of the head.", "Negative head CT.")

INDICATIONS = (
    ("Fall with head strike, on anticoagulation. Evaluate for bleed.", "trauma"),
    ("Headache, rule out hemorrhage.", "headache"),
    ("Altered mental status.", "ams"),
    ("Acute left-sided weakness, r/o stroke.", "stroke"),
    ("Code stroke. Last known well 2 hours ago.", "stroke"),
    ("Syncope.", "syncope"),
    ("MVC, evaluate for intracranial injury and skull fracture.", "trauma"),
    ("Seizure.", "seizure"),
    ("Worst headache of life, evaluate for SAH.", "headache"),
    ("Dizziness and nausea.", "other"),
    ("Follow-up of known intracranial findings.", "follow-up"),
    ("Known malignancy, evaluate for metastatic disease.", "oncology"),
    ("Confusion, history of dementia.", "ams"),
    ("Assault with facial and scalp injuries.", "trauma"),
)

TECHNIQUE = (
    ("Axial noncontrast CT images of the head were obtained from the skull base to the vertex. "
     "Sagittal and coronal reformatted images were generated."),
    "Noncontrast CT of the head was performed with axial images at {thick} mm slice thickness.",
    "Helical CT of the brain without IV contrast. Multiplanar reformats were reviewed.",
    "Routine noncontrast head CT. Dose reduction techniques were used, including automated exposure control.",
)

COMPARISON_LANGUAGE = (" Unchanged from prior.", " No interval change.", " Stable compared with the prior exam.",
                       " No interval increase.", " Slightly decreased compared with the prior study.", "")

SECTION_STYLES = (
    ("CLINICAL HISTORY", "TECHNIQUE", "COMPARISON", "FINDINGS", "IMPRESSION"),
    ("INDICATION", "TECHNIQUE", "COMPARISON", "FINDINGS", "IMPRESSION"),
    ("History", "Technique", "Comparison", "Findings", "Impression"),
)
