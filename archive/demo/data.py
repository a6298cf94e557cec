"""The demo archive's catalogue: Calderbridge, a made-up mill town in the West Riding.

Plain data. Each item names the kind of picture ``demo_photos.render_photo`` draws for it and
the seed it draws it with. Where a picture shows something a record describes (a shop's
name, a tram's destination, whether the sitter is a man or a woman) the seed was chosen by
the rules in ``demo_photos``'s docstring, so that picture and record agree.
"""

from __future__ import annotations

HARDCASTLE = "hardcastle-studio"
ENGINEER = "borough-engineer"
COURIER = "courier-archive"
SUTCLIFFE = "sutcliffe-album"
COOP = "co-operative-society"

LIBRARIES_CC = "© Calderbridge Libraries. Reuse under CC BY-NC 4.0"
NO_KNOWN = "No known copyright restrictions"
COURIER_RIGHTS = "© Calderbridge Courier Ltd. Contact the archive about reuse"
FAMILY_RIGHTS = "© The Sutcliffe family. Non-commercial reuse with credit"
NOT_EVALUATED = "Copyright not evaluated"

DEMO_COLLECTIONS: list[dict] = [
    {
        "slug": HARDCASTLE,
        "title": "J. W. Hardcastle & Son, photographers: studio negatives",
        "description": (
            "Glass plate and film negatives from the Hardcastle studio on Market Street, which "
            "photographed Calderbridge people from 1889 until it closed in 1958. The studio's "
            "day books were lost when the Calder flooded in 1946, so many sitters are known only "
            "by a plate number."
        ),
    },
    {
        "slug": ENGINEER,
        "title": "Borough Engineer's Department: street and building surveys",
        "description": (
            "Photographs taken by and for the Borough Engineer to record streets, bridges and "
            "buildings before improvement or clearance, 1895-1968. Most carry a street name and "
            "a file reference; hardly any record the people who happen to be in them."
        ),
    },
    {
        "slug": COURIER,
        "title": "Calderbridge Courier photographic archive",
        "description": (
            "Prints and negatives from the town's weekly newspaper, covering events, trade and "
            "everyday life from the 1920s until the paper closed in 1975. Captions were often "
            "cut away when prints were pasted up, so dates and names are frequently missing."
        ),
    },
    {
        "slug": SUTCLIFFE,
        "title": "The Sutcliffe family album",
        "description": (
            "Snapshots and studio cards kept by three generations of the Sutcliffe family of "
            "Knowle Top, given to the library by Margaret Sutcliffe in 2009. The pencilled "
            "captions are sparse and several pages have come loose."
        ),
    },
    {
        "slug": COOP,
        "title": "Calderbridge Industrial Co-operative Society",
        "description": (
            "Photographs from the society's own files: its branch shops, staff, choir, galas and "
            "outings. Deposited with the minute books when the society merged with its "
            "neighbours in 1968."
        ),
    },
]


def _item(
    identifier: str,
    collection: str,
    kind: str,
    seed: int,
    title: str,
    description: str,
    *,
    date_text: str = "",
    place: str = "",
    creator: str = "Unknown",
    rights: str = NO_KNOWN,
    people: str = "",
    subjects: str = "",
    help_question: str = "",
    orientation: str = "landscape",
) -> dict:
    return {
        "identifier": identifier,
        "collection": collection,
        "title": title,
        "description": description,
        "date_text": date_text,
        "place": place,
        "creator": creator,
        "rights": rights,
        "people": people,
        "subjects": subjects,
        "needs_help": bool(help_question),
        "help_question": help_question,
        "kind": kind,
        "seed": seed,
        "orientation": orientation,
    }


ENGINEERS = "Borough Engineer's Department"
LUMB = "Arthur Lumb, Borough Engineer's Department"
COURIER_STAFF = "Calderbridge Courier"
OGDEN = "Frank Ogden, Calderbridge Courier"
J_W = "J. W. Hardcastle"
AND_SON = "Hardcastle & Son"
EDITH = "Edith Sutcliffe"
STUDIO = "Hardcastle studio, Market Street"

DEMO_ITEMS: list[dict] = [
    # ------------------------------------------------------------------ streets
    _item(
        "CB-ENG-0003", ENGINEER, "street", 5405,
        "Holmeroyd Road, looking up the hill",
        "Setted street of through terraces with gas lamps along the pavements, photographed for "
        "the Holmeroyd improvement survey. Glass plate negative; the emulsion is lifting along "
        "one edge.",
        date_text="c. 1905", place="Holmeroyd Road, Holmeroyd", creator=ENGINEERS,
        subjects="Streets; Housing; Gas lamps; Mills",
    ),
    _item(
        "CB-ENG-0012", ENGINEER, "street", 2571,
        "Wharf Street from the canal end",
        "Looking up Wharf Street from the canal bridge. The register entry reads 'Wharf St. for "
        "widening scheme, file 12/4'.",
        date_text="1912", place="Wharf Street", creator=LUMB,
        subjects="Streets; Road widening; Housing",
    ),
    _item(
        "CB-ENG-0027", ENGINEER, "street", 6568,
        "Unidentified street of terraced houses",
        "One of a batch of glass negatives found in the Engineer's store in 1987 without their "
        "register. Setted street of terraced houses with gas lamps; the negative is scratched.",
        creator=ENGINEERS, subjects="Streets; Housing; Horse-drawn vehicles",
        help_question=(
            "The register for this batch is lost, but the Engineer photographed streets that "
            "were due to be widened or cleared. Which street is this?"
        ),
    ),
    _item(
        "CB-ENG-0031", ENGINEER, "street", 891,
        "Chapel Street before clearance",
        "Photographed as evidence for the Chapel Street Clearance Area public inquiry. Every "
        "house shown was demolished in 1960-1961; the site is now the bus station car park.",
        date_text="1958", place="Chapel Street", creator=ENGINEERS, rights=LIBRARIES_CC,
        subjects="Streets; Slum clearance; Housing",
    ),
    _item(
        "CB-COU-0112", COURIER, "street", 1286,
        "Brigg Lane youngsters",
        "Print from the Courier's picture library, with people about on the pavements. The "
        "caption on the back reads only 'Brigg Lane youngsters'.",
        date_text="1930s", place="Brigg Lane, Brigg", creator=COURIER_STAFF,
        rights=COURIER_RIGHTS, subjects="Children; Streets; Play",
        help_question=(
            "The Courier's caption says only 'Brigg Lane youngsters'. Do you recognise anyone "
            "in this photograph?"
        ),
    ),
    _item(
        "CB-SUT-0006", SUTCLIFFE, "street", 8879,
        "'Our street', Knowle Top Road",
        "Snapshot pasted in the album under the pencilled caption 'Our street'. The Sutcliffes "
        "lived at No. 14 Knowle Top Road from 1911 to 1962.",
        date_text="c. 1920", place="Knowle Top Road, Knowle Top", creator=EDITH,
        rights=FAMILY_RIGHTS, subjects="Streets; Housing; Family life",
        help_question=(
            "The family lived at No. 14, but the snapshot does not show the door numbers. Can "
            "you tell which house is No. 14?"
        ),
        orientation="portrait",
    ),
    _item(
        "CB-ENG-0040", ENGINEER, "street", 1642,
        "Victoria Road, looking east",
        "Survey photograph for the Victoria Road resurfacing scheme; the setts were replaced "
        "with tarmacadam the following year.",
        date_text="1950-1955", place="Victoria Road", creator=ENGINEERS, rights=LIBRARIES_CC,
        subjects="Streets; Shops; Road works",
    ),
    _item(
        "CB-COU-0150", COURIER, "street", 6091,
        "Commercial Street on a Saturday afternoon",
        "Shoppers on Commercial Street, taken for a Courier feature on the town's trade. The "
        "print has been trimmed at the edges.",
        date_text="1920s", place="Commercial Street", creator=OGDEN, rights=COURIER_RIGHTS,
        subjects="Streets; Shopping; Shops",
    ),
    _item(
        "CB-ENG-0044", ENGINEER, "street", 9648,
        "Mill Lane, Lower Calder",
        "Setted lane between mill workers' cottages. Glass plate negative, cracked across one "
        "corner and repaired with tape.",
        date_text="1898", place="Mill Lane, Lower Calder", creator=ENGINEERS,
        subjects="Streets; Housing; Mills",
    ),
    # ------------------------------------------------------------------ portraits
    _item(
        "CB-HAR-0101", HARDCASTLE, "portrait", 8413,
        "Portrait of a young man in a wing collar",
        "Head-and-shoulders studio portrait against a painted backdrop. Only the plate number, "
        "1412, survives; the day book for these years was lost in the 1946 flood.",
        date_text="c. 1905", place=STUDIO, creator=J_W, rights=LIBRARIES_CC,
        subjects="Portraits; Men; Studio photographs",
        help_question=(
            "He sat for the Hardcastle studio around 1905; the plate is numbered 1412. Do you "
            "know who he is?"
        ),
        orientation="portrait",
    ),
    _item(
        "CB-HAR-0102", HARDCASTLE, "portrait", 714,
        "Mrs Hannah Greenwood",
        "Cabinet card of Hannah Greenwood, wife of the ironmonger Thomas Greenwood of Market "
        "Street, made to mark their silver wedding. Given by her granddaughter with a covering "
        "letter.",
        date_text="1895", place=STUDIO, creator=J_W, people="Greenwood, Hannah",
        subjects="Portraits; Women; Studio photographs", orientation="portrait",
    ),
    _item(
        "CB-HAR-0107", HARDCASTLE, "portrait", 1508,
        "Portrait of a woman with a lace collar",
        "Studio portrait found loose in a box of the studio's own sample cards. She wears a "
        "high-necked dress with a lace collar and a brooch.",
        date_text="c. 1895", place=STUDIO, creator=J_W,
        subjects="Portraits; Women; Costume",
        help_question=(
            "The studio kept her card as a sample, so she may have been well known in the "
            "town. Who is she?"
        ),
        orientation="portrait",
    ),
    _item(
        "CB-HAR-0115", HARDCASTLE, "portrait", 6951,
        "Albert Sutcliffe in his Sunday suit",
        "Albert Sutcliffe (1889-1952), overlooker at Calder Mills, photographed shortly before "
        "his marriage. Another print from this negative is in the Sutcliffe family album.",
        date_text="1911", place=STUDIO, creator=AND_SON, rights=LIBRARIES_CC,
        people="Sutcliffe, Albert", subjects="Portraits; Men; Weddings",
        orientation="portrait",
    ),
    _item(
        "CB-SUT-0002", SUTCLIFFE, "portrait", 4043,
        "Grandfather Sutcliffe",
        "Cabinet card from the front of the family album, captioned 'Grandfather' in pencil. "
        "The corners are worn and the shadows have begun to silver.",
        creator=J_W, rights=FAMILY_RIGHTS, people="Sutcliffe, Joseph",
        subjects="Portraits; Men; Family life",
        help_question=(
            "The family think the 1890s, but the style of the card mount may say otherwise. "
            "When was this taken?"
        ),
        orientation="portrait",
    ),
    _item(
        "CB-HAR-0120", HARDCASTLE, "portrait", 7055,
        "Councillor James Ackroyd",
        "Official portrait made when James Ackroyd became chairman of the Watch Committee. A "
        "framed enlargement hung in the Town Hall until 1974.",
        date_text="1921", place=STUDIO, creator=AND_SON, rights=LIBRARIES_CC,
        people="Ackroyd, James", subjects="Portraits; Local government; Men",
        orientation="portrait",
    ),
    _item(
        "CB-HAR-0133", HARDCASTLE, "portrait", 1068,
        "Ada Crowther, weaver",
        "Portrait of Ada Crowther, a weaver at Albion Mills, taken at the studio's cheaper "
        "Saturday rate. Her name and 'Albion' are written on the negative sleeve.",
        date_text="c. 1912", place=STUDIO, creator=AND_SON, rights=LIBRARIES_CC,
        people="Crowther, Ada", subjects="Portraits; Women; Textile industry",
        orientation="portrait",
    ),
    {
        # Two images: the front of the card, and its back with the sitter's name in pencil.
        **_item(
            "CB-HAR-0138", HARDCASTLE, "portrait", 2208,
            "Young woman in her Whitsuntide best, with a note on the back",
            "Carte de visite of a young woman of about seventeen in her best dress, perhaps "
            "for the Whit walk. The back of the card carries the studio's device and three "
            "lines in pencil; both sides were scanned.",
            date_text="1911", place=STUDIO, creator=AND_SON, rights=LIBRARIES_CC,
            subjects="Portraits; Women; Whitsuntide",
            help_question=(
                "The pencil on the back names \"Annie\" and \"Aunt Lizzie\". Do you know "
                "which family she belonged to?"
            ),
            orientation="portrait",
        ),
        "back": ("Annie, aged 17", "with love to Aunt Lizzie", "Whit Sunday 1911"),
    },
    _item(
        "CB-SUT-0009", SUTCLIFFE, "portrait", 9364,
        "Aunt Lily",
        "Studio card inscribed 'Aunt Lily' on the back in ink. Lily Sutcliffe emigrated to "
        "Canada in 1927 and this may be a farewell portrait.",
        date_text="1920s", creator=AND_SON, rights=FAMILY_RIGHTS, people="Sutcliffe, Lily",
        subjects="Portraits; Women; Emigration", orientation="portrait",
    ),
    # ------------------------------------------------------------------ buildings
    _item(
        "CB-ENG-0050", ENGINEER, "building", 9651,
        "Zion Chapel, Chapel Street",
        "Front of Zion Chapel, opened in 1868, photographed before the Chapel Street clearance. "
        "The chapel closed in 1962 and came down with the houses around it.",
        date_text="1958", place="Chapel Street", creator=ENGINEERS, rights=LIBRARIES_CC,
        subjects="Chapels; Nonconformity; Architecture",
    ),
    _item(
        "CB-ENG-0052", ENGINEER, "building", 9220,
        "The Town Hall from Towngate",
        "The Town Hall of 1872 with its clock tower, taken after the stonework was cleaned for "
        "the Coronation. Printed from a 5 x 4 inch film negative.",
        date_text="1953", place="Towngate", creator=ENGINEERS, rights=LIBRARIES_CC,
        subjects="Town halls; Civic buildings; Clocks", orientation="portrait",
    ),
    _item(
        "CB-COU-0201", COURIER, "building", 9458,
        "Albion Mills, Calder Vale Road",
        "Five-storey spinning mill with its chimney and stair tower, photographed for the "
        "Courier's report on the firm's centenary. Albion Mills closed in 1971.",
        date_text="1936", place="Calder Vale Road", creator=COURIER_STAFF,
        rights=COURIER_RIGHTS, subjects="Mills; Textile industry; Chimneys",
    ),
    _item(
        "CB-COU-0207", COURIER, "building", 8111,
        "Victoria Mills from the mill yard",
        "The main block of Victoria Mills with its chimney and stair tower. The chimney was "
        "felled in 1969 and the mill became flats in 1998.",
        date_text="1950s", place="Wharf Street", creator=COURIER_STAFF, rights=COURIER_RIGHTS,
        subjects="Mills; Textile industry; Workers",
    ),
    _item(
        "CB-HAR-0140", HARDCASTLE, "building", 1164,
        "Providence Chapel, Holmeroyd",
        "View of Providence Chapel sold by the studio as a cabinet print. The railings were "
        "taken for scrap in 1942.",
        date_text="c. 1900", place="Holmeroyd Road, Holmeroyd", creator=J_W,
        subjects="Chapels; Architecture; Railings", orientation="portrait",
    ),
    _item(
        "CB-ENG-0061", ENGINEER, "building", 7664,
        "Prospect Mill",
        "Mill building photographed for the Engineer's survey of premises liable to flooding. "
        "The register gives only the name and the date.",
        date_text="March 1947", creator=ENGINEERS, subjects="Mills; Floods; Textile industry",
        help_question=(
            "The Engineer's register gives no address and the name is not on the 1908 Ordnance "
            "Survey map. Where was Prospect Mill?"
        ),
    ),
    # ------------------------------------------------------------------ groups
    _item(
        "CB-HAR-0150", HARDCASTLE, "group", 6505,
        "Holmeroyd Board School, Standard IV",
        "Class photograph in the school yard with the teacher at the end of the rows and a "
        "slate chalked 'Std IV' at the front. One of the school negatives the studio made each "
        "summer.",
        date_text="c. 1908", place="Holmeroyd Board School, Holmeroyd", creator=J_W,
        rights=LIBRARIES_CC, subjects="Schools; Children; Education",
    ),
    _item(
        "CB-COP-0003", COOP, "group", 2343,
        "The Co-operative Society choir",
        "Members of the society's choir photographed after the annual festival; the slate reads "
        "'Co-op Choir'. The conductor is believed to be Harold Priestley.",
        date_text="1920s", people="Priestley, Harold",
        subjects="Choirs; Co-operative movement; Music",
        help_question=(
            "We think the conductor is Harold Priestley, but nobody else has been identified. "
            "Can you name any of the singers?"
        ),
    ),
    _item(
        "CB-COP-0004", COOP, "group", 3900,
        "Albion Mills weavers before their outing",
        "Weavers from Albion Mills assembled in rows before the annual outing, with a slate "
        "reading 'Albion Mills' at the front.",
        date_text="12 July 1924", subjects="Outings; Textile industry; Workers",
    ),
    _item(
        "CB-COU-0230", COURIER, "group", 8858,
        "Infants' class with a slate",
        "Print from the Courier's library, probably used in a school anniversary feature. The "
        "slate reads 'Infants' and the caption is missing.",
        date_text="1930s", creator=COURIER_STAFF, rights=COURIER_RIGHTS,
        subjects="Schools; Children",
        help_question=(
            "Only 'Infants' is chalked on the slate. Which school is this, and when was it "
            "taken?"
        ),
    ),
    _item(
        "CB-SUT-0015", SUTCLIFFE, "group", 7581,
        "Knowle Top Bowling Club",
        "Club members photographed at the opening of the new pavilion. Albert Sutcliffe is said "
        "to be in the back row.",
        date_text="1932", place="Knowle Top", rights=FAMILY_RIGHTS, people="Sutcliffe, Albert",
        subjects="Sport; Bowls; Clubs",
    ),
    _item(
        "CB-HAR-0155", HARDCASTLE, "group", 7319,
        "Brigg Lane School, Standard VI",
        "The top class of Brigg Lane Council School with the headmistress. Half-plate glass "
        "negative, slightly fogged along one edge.",
        date_text="1926", place="Brigg Lane, Brigg", creator=AND_SON, rights=LIBRARIES_CC,
        subjects="Schools; Children; Education",
    ),
    # ------------------------------------------------------------------ trams
    _item(
        "CB-ENG-0070", ENGINEER, "tram", 2759,
        "Tram bound for Holmeroyd on Victoria Road",
        "Double-deck tram on Victoria Road, photographed for the Tramways Committee's report on "
        "the state of the track, with the traction poles and overhead wires.",
        date_text="1913", place="Victoria Road", creator=ENGINEERS,
        subjects="Trams; Transport; Streets",
    ),
    _item(
        "CB-COU-0301", COURIER, "tram", 1901,
        "Tram in a terraced street",
        "A car for Knowle Top in a street of terraced houses. The print was filed under "
        "'Transport' with no caption.",
        date_text="1920s", creator=COURIER_STAFF, rights=COURIER_RIGHTS,
        subjects="Trams; Transport; Streets",
        help_question=(
            "The tram is bound for Knowle Top, so it may be on the route up Holmeroyd Road. "
            "Which street is this?"
        ),
    ),
    _item(
        "CB-ENG-0074", ENGINEER, "tram", 9942,
        "Calder Vale car on Commercial Street",
        "Tram on the Calder Vale service, photographed during trials of new overhead fittings.",
        date_text="1927", place="Commercial Street", creator=LUMB, rights=LIBRARIES_CC,
        subjects="Trams; Transport; Overhead wires",
    ),
    _item(
        "CB-COU-0310", COURIER, "tram", 3507,
        "Evening tram to the Town Hall",
        "Rush-hour car for the Town Hall. Date and place from the Courier's photographic "
        "register.",
        date_text="14 October 1931", place="Wharf Street", creator=OGDEN,
        rights=COURIER_RIGHTS, subjects="Trams; Transport; Commuting",
    ),
    _item(
        "CB-COU-0318", COURIER, "tram", 6264,
        "The last Brigg Lane tram",
        "Taken as the tram services ended and buses took over the routes; people turned out "
        "along Brigg Lane to see the last cars.",
        date_text="1938", place="Brigg Lane, Brigg", creator=OGDEN, rights=COURIER_RIGHTS,
        subjects="Trams; Transport; Buses",
        help_question=(
            "The trams stopped in 1938, but was this the final run or the rehearsal the week "
            "before?"
        ),
    ),
    # ------------------------------------------------------------------ markets
    _item(
        "CB-COU-0401", COURIER, "market", 2533,
        "Saturday market in the Market Place",
        "View over the stalls from the Town Hall steps, with the Market Hall clock tower "
        "beyond. Taken for a Courier feature on the price of food.",
        date_text="1929", place="Market Place", creator=OGDEN, rights=COURIER_RIGHTS,
        subjects="Markets; Shopping; Trade",
    ),
    _item(
        "CB-ENG-0080", ENGINEER, "market", 4232,
        "Market Place before the new stalls",
        "The old trestle stalls with canvas covers, recorded before they were replaced by "
        "permanent steel-framed stalls.",
        date_text="1934", place="Market Place", creator=ENGINEERS, rights=LIBRARIES_CC,
        subjects="Markets; Street furniture",
    ),
    _item(
        "CB-COU-0405", COURIER, "market", 5791,
        "Market day crowd",
        "Crowds between the rows of covered stalls. The negative sleeve says only 'Market, "
        "Whit week'.",
        place="Market Place", creator=COURIER_STAFF, rights=COURIER_RIGHTS,
        subjects="Markets; Crowds; Whitsuntide",
        help_question=(
            "The sleeve says Whit week but not the year, and the clothes or the stalls may give "
            "it away. When was this taken?"
        ),
    ),
    _item(
        "CB-COP-0012", COOP, "market", 9967,
        "The Christmas market",
        "The Co-operative Society's stall at the Christmas market, from the society's publicity "
        "file. Slightly underexposed.",
        date_text="December 1951", place="Market Place",
        subjects="Markets; Co-operative movement; Christmas",
    ),
    _item(
        "CB-SUT-0021", SUTCLIFFE, "market", 6066,
        "Market Place from the Town Hall steps",
        "Family snapshot of the market, pencilled 'Mother's stall somewhere here!'.",
        date_text="c. 1935", place="Market Place", creator=EDITH, rights=FAMILY_RIGHTS,
        subjects="Markets; Family life",
        help_question=(
            "Edith's mother sold pots on the market in the 1930s, but the family never knew "
            "which stall was hers. Can you point it out?"
        ),
    ),
    # ------------------------------------------------------------------ bridges
    _item(
        "CB-ENG-0090", ENGINEER, "bridge", 7868,
        "Calder Bridge from downstream",
        "The old stone bridge that gave the town its name, photographed before it was widened "
        "in 1931. The terraces of Knowle Top climb the hillside beyond.",
        date_text="c. 1925", place="River Calder", creator=ENGINEERS,
        subjects="Bridges; Rivers; Architecture",
    ),
    _item(
        "CB-ENG-0094", ENGINEER, "bridge", 2112,
        "Wharf Street bridge over the Calder",
        "Stone bridge carrying Wharf Street over the river, photographed for the widening "
        "scheme. The water was still enough that morning to show the arches reflected.",
        date_text="1912", place="Wharf Street", creator=LUMB,
        subjects="Bridges; Rivers; Road widening",
    ),
    _item(
        "CB-COU-0501", COURIER, "bridge", 1989,
        "Calder Bridge on a summer evening",
        "Used in the Courier's 'Know your town' series, looking across the river to the "
        "terraces on the hillside.",
        date_text="1930s", place="River Calder", creator=OGDEN, rights=COURIER_RIGHTS,
        subjects="Bridges; Rivers; Leisure",
    ),
    _item(
        "CB-SUT-0030", SUTCLIFFE, "bridge", 8096,
        "Bridge over a river",
        "Snapshot from the album with no caption, perhaps taken on a family walk. Slightly out "
        "of focus.",
        creator=EDITH, rights=FAMILY_RIGHTS, subjects="Bridges; Rivers; Walks",
        help_question=(
            "It may not be in Calderbridge at all: the family walked a great deal along the "
            "valley. Where is this bridge?"
        ),
        orientation="portrait",
    ),
    _item(
        "CB-ENG-0097", ENGINEER, "bridge", 7734,
        "Brigg bridge, upstream side",
        "Survey photograph for the Brigg bridge strengthening scheme, showing the arches and "
        "parapet. The file number is written in ink on the back of the print.",
        date_text="1950-1955", place="Brigg", creator=ENGINEERS, rights=LIBRARIES_CC,
        subjects="Bridges; Rivers; Civil engineering",
    ),
    # ------------------------------------------------------------------ shopfronts
    _item(
        "CB-COU-0601", COURIER, "shopfront", 7688,
        "T. Greenwood, ironmonger, Market Street",
        "Shop front with a full window display; the proprietor stands in the doorway in his "
        "apron. Greenwood's traded on Market Street from 1878 to 1963.",
        date_text="1930s", place="Market Street", creator=COURIER_STAFF, rights=COURIER_RIGHTS,
        subjects="Shops; Ironmongers; Trade",
    ),
    _item(
        "CB-COP-0020", COOP, "shopfront", 450,
        "J. Haigh, family grocer, Towngate",
        "The grocer's shop the Co-operative Society bought in 1913 for its Towngate branch. "
        "From the society's property file.",
        date_text="c. 1910", place="Towngate", people="Haigh, John",
        subjects="Shops; Grocers; Co-operative movement",
    ),
    _item(
        "CB-ENG-0110", ENGINEER, "shopfront", 8807,
        "E. Barraclough, tripe dresser, Brigg Lane",
        "Photographed for the Brigg Lane clearance inquiry. The Barracloughs sold tripe and cow "
        "heel from this shop for three generations.",
        date_text="1957", place="Brigg Lane, Brigg", creator=ENGINEERS, rights=LIBRARIES_CC,
        subjects="Shops; Tripe dressers; Slum clearance",
    ),
    _item(
        "CB-COU-0612", COURIER, "shopfront", 1617,
        "R. Crowther, newsagent",
        "Newsagent's shop with an enamel sign by the window. The caption gives only the name "
        "over the door.",
        creator=COURIER_STAFF, rights=COURIER_RIGHTS, subjects="Shops; Newsagents",
        help_question=(
            "The fascia reads R. Crowther, Newsagent, but no street or date is recorded. Where "
            "was this shop?"
        ),
    ),
    _item(
        "CB-SUT-0025", SUTCLIFFE, "shopfront", 118,
        "A. Sutcliffe, draper",
        "The family's drapery on Knowle Top Road, kept by Annie Sutcliffe from 1919.",
        date_text="1920s", place="Knowle Top Road, Knowle Top", creator=EDITH,
        rights=FAMILY_RIGHTS, people="Sutcliffe, Annie",
        subjects="Shops; Drapers; Family businesses", orientation="portrait",
    ),
    _item(
        "CB-COU-0618", COURIER, "shopfront", 7878,
        "H. Ackroyd, confectioner, Victoria Road",
        "Sweet shop with jars in the window. The Courier ran the picture in its story about the "
        "shop closing.",
        place="Victoria Road", creator=COURIER_STAFF, rights=NOT_EVALUATED,
        subjects="Shops; Confectioners; Sweets",
        help_question=(
            "The shop closed in the 1960s, but the photograph could be much older than the "
            "article it illustrated. When was this taken?"
        ),
    ),
    _item(
        "CB-HAR-0160", HARDCASTLE, "shopfront", 3028,
        "W. Mitchell, boots and shoes",
        "Made for the shop's advertisement in the 1906 trade directory; the proprietor poses "
        "in the doorway.",
        date_text="1906", place="Commercial Street", creator=J_W, people="Mitchell, William",
        subjects="Shops; Shoemakers; Advertising",
    ),
]

DEMO_CONTRIBUTIONS: list[dict] = [
    {
        "item": "CB-ENG-0027",
        "body": (
            "This is Mafeking Street off Holmeroyd Road, I'm sure of it. The corner shop was "
            "Firth's, where we bought our sweets on the way to school."
        ),
        "suggested_date": "",
        "suggested_place": "Mafeking Street, Holmeroyd",
        "suggested_people": "",
        "credit_name": "Brian Firth",
        "show_name": True,
        "email": "brian.firth@example.org",
        "status": "pending",
        "days_ago": 3,
        "region": None,
    },
    {
        "item": "CB-ENG-0027",
        "body": (
            "I think it's Balaclava Terrace rather than Mafeking Street, which had no shop on "
            "that side. The cart could be Hirst's, the coal merchant's."
        ),
        "suggested_date": "",
        "suggested_place": "Balaclava Terrace, Holmeroyd",
        "suggested_people": "",
        "credit_name": "",
        "show_name": False,
        "email": None,
        "status": "pending",
        "days_ago": 1,
        "region": None,
    },
    {
        "item": "CB-COU-0112",
        "body": (
            "The girl on the left with the ribbon in her hair is my mother, Doris Holroyd, born "
            "1927. She always said the Courier man gave them a penny each to stand still."
        ),
        "suggested_date": "c. 1935",
        "suggested_place": "",
        "suggested_people": "Holroyd, Doris",
        "credit_name": "Susan Wade",
        "show_name": True,
        "email": "s.wade@example.org",
        "status": "approved",
        "days_ago": 45,
        "region": (0.18, 0.45, 0.12, 0.35),
    },
    {
        "item": "CB-COU-0112",
        "body": (
            "My grandmother ran the shop at the bottom of Brigg Lane and kept a copy of this "
            "behind the counter. The woman in the shawl could be Mrs Gaukroger from No. 3, who "
            "kept an eye on everybody's children."
        ),
        "suggested_date": "",
        "suggested_place": "",
        "suggested_people": "Gaukroger, Mrs",
        "credit_name": "Pat",
        "show_name": True,
        "email": None,
        "status": "pending",
        "days_ago": 6,
        "region": None,
    },
    {
        "item": "CB-SUT-0006",
        "body": (
            "No. 14 is the fourth door up on the right, the one with the whitened step. Aunt "
            "Edith donkey-stoned that step every Friday whatever the weather."
        ),
        "suggested_date": "",
        "suggested_place": "14 Knowle Top Road, Knowle Top",
        "suggested_people": "",
        "credit_name": "Margaret Sutcliffe",
        "show_name": True,
        "email": "margaret.sutcliffe@example.org",
        "status": "approved",
        "days_ago": 90,
        "region": None,
    },
    {
        "item": "CB-HAR-0101",
        "body": (
            "He looks very like my great-grandfather, Harry Barraclough, who had the tripe shop "
            "on Brigg Lane. We have a smaller print that may be from the same sitting."
        ),
        "suggested_date": "",
        "suggested_place": "",
        "suggested_people": "Barraclough, Harry",
        "credit_name": "Jean Barraclough",
        "show_name": True,
        "email": "jean.barraclough@example.org",
        "status": "pending",
        "days_ago": 12,
        "region": None,
    },
    {
        "item": "CB-HAR-0107",
        "body": (
            "This is Miss Eliza Thwaite, who taught music at Holmeroyd. She taught my father the "
            "piano, and that brooch was famous: she wore it every single day."
        ),
        "suggested_date": "",
        "suggested_place": "",
        "suggested_people": "Thwaite, Eliza",
        "credit_name": "",
        "show_name": False,
        "email": None,
        "status": "approved",
        "days_ago": 30,
        "region": None,
    },
    {
        "item": "CB-SUT-0002",
        "body": (
            "Hardcastle used dark cards with a gilt line and rounded corners in the 1890s; the "
            "later ones were grey with the name in black. So I would say the 1890s."
        ),
        "suggested_date": "1890s",
        "suggested_place": "",
        "suggested_people": "",
        "credit_name": "Peter Lumb",
        "show_name": True,
        "email": "peter.lumb@example.org",
        "status": "approved",
        "days_ago": 20,
        "region": None,
    },
    {
        "item": "CB-ENG-0061",
        "body": (
            "Prospect Mill was what the Wilsons called the old Calder Vale dye works after 1920, "
            "which is why it isn't on the 1908 map. It stood where the supermarket car park is "
            "now."
        ),
        "suggested_date": "",
        "suggested_place": "Calder Vale Road",
        "suggested_people": "",
        "credit_name": "Keith Wilson",
        "show_name": True,
        "email": "kwilson@example.org",
        "status": "pending",
        "days_ago": 2,
        "region": None,
    },
    {
        "item": "CB-COP-0003",
        "body": (
            "Third from the right in the front row is my grandmother, Alice Priestley, Harold's "
            "sister. She sang alto and never missed a practice in forty years."
        ),
        "suggested_date": "",
        "suggested_place": "",
        "suggested_people": "Priestley, Alice",
        "credit_name": "Ruth Hanson",
        "show_name": True,
        "email": "ruth.hanson@example.org",
        "status": "approved",
        "days_ago": 60,
        "region": (0.6, 0.62, 0.1, 0.3),
    },
    {
        "item": "CB-COU-0230",
        "body": (
            "That's Knowle Top Infants, you can tell by the big window behind. I was in that "
            "class about 1936 and I think the teacher was Miss Haigh."
        ),
        "suggested_date": "c. 1936",
        "suggested_place": "Knowle Top Infants' School",
        "suggested_people": "Haigh, Miss",
        "credit_name": "Harold",
        "show_name": True,
        "email": None,
        "status": "pending",
        "days_ago": 9,
        "region": None,
    },
    {
        "item": "CB-COU-0301",
        "body": (
            "This is Holmeroyd Road just below the Fleece, where the Knowle Top cars waited to "
            "pass. My grandad drove that route for twenty years."
        ),
        "suggested_date": "",
        "suggested_place": "Holmeroyd Road, Holmeroyd",
        "suggested_people": "",
        "credit_name": "Alan Firth",
        "show_name": True,
        "email": "alan.firth@example.org",
        "status": "approved",
        "days_ago": 75,
        "region": None,
    },
    {
        "item": "CB-COU-0318",
        "body": (
            "I was there! It was a Saturday at the end of October and it poured all afternoon. "
            "My father lifted me onto his shoulders to see the last car go by."
        ),
        "suggested_date": "29 October 1938",
        "suggested_place": "",
        "suggested_people": "",
        "credit_name": "Mary Holt",
        "show_name": True,
        "email": "mary.holt@example.org",
        "status": "pending",
        "days_ago": 4,
        "region": None,
    },
    {
        "item": "CB-COU-0405",
        "body": (
            "Those canvas covers came in just after the war and were gone by about 1955, so I'd "
            "guess the late forties."
        ),
        "suggested_date": "late 1940s",
        "suggested_place": "",
        "suggested_people": "",
        "credit_name": "",
        "show_name": False,
        "email": None,
        "status": "pending",
        "days_ago": 15,
        "region": None,
    },
    {
        "item": "CB-SUT-0021",
        "body": (
            "Gran's pot stall was always at the end nearest the Market Hall, so it would be the "
            "last one on the left before the steps."
        ),
        "suggested_date": "",
        "suggested_place": "",
        "suggested_people": "",
        "credit_name": "Margaret Sutcliffe",
        "show_name": True,
        "email": "margaret.sutcliffe@example.org",
        "status": "approved",
        "days_ago": 88,
        "region": None,
    },
    {
        "item": "CB-SUT-0030",
        "body": (
            "This looks like the bridge at Brigg before they added the footpath. The hill "
            "behind with the rows of houses is unmistakable."
        ),
        "suggested_date": "",
        "suggested_place": "Brigg",
        "suggested_people": "",
        "credit_name": "",
        "show_name": False,
        "email": "walker@example.org",
        "status": "pending",
        "days_ago": 21,
        "region": None,
    },
    {
        "item": "CB-COU-0612",
        "body": (
            "Crowther's was at 27 Victoria Road, on the corner of Albion Street. I delivered "
            "papers for Mr Crowther in 1958 for seven and six a week."
        ),
        "suggested_date": "",
        "suggested_place": "27 Victoria Road",
        "suggested_people": "Crowther, Reginald",
        "credit_name": "Geoff Mitchell",
        "show_name": True,
        "email": "geoff.mitchell@example.org",
        "status": "approved",
        "days_ago": 40,
        "region": None,
    },
    {
        "item": "CB-COU-0618",
        "body": (
            "The window is full of sweet jars, so it must be before the war; they were empty all "
            "through rationing. I would put it about 1937."
        ),
        "suggested_date": "c. 1937",
        "suggested_place": "",
        "suggested_people": "",
        "credit_name": "June Ackroyd",
        "show_name": True,
        "email": "june.ackroyd@example.org",
        "status": "pending",
        "days_ago": 7,
        "region": None,
    },
    {
        "item": "CB-ENG-0031",
        "body": (
            "My grandmother ran the corner shop at the top of Chapel Street until the "
            "clearance. It broke her heart when they pulled it down."
        ),
        "suggested_date": "",
        "suggested_place": "",
        "suggested_people": "",
        "credit_name": "Dorothy Greenwood",
        "show_name": True,
        "email": None,
        "status": "approved",
        "days_ago": 110,
        "region": None,
    },
    {
        "item": "CB-HAR-0150",
        "body": (
            "My grandfather, Fred Holroyd, is the boy holding the slate. He kept the school "
            "report from that year and it says Standard IV, 1908."
        ),
        "suggested_date": "1908",
        "suggested_place": "",
        "suggested_people": "Holroyd, Fred",
        "credit_name": "Ian Holroyd",
        "show_name": True,
        "email": "ian.holroyd@example.org",
        "status": "pending",
        "days_ago": 5,
        "region": (0.4, 0.78, 0.2, 0.2),
    },
    {
        # A box drawn on the item's second image: the pencilled name on the back of the card.
        "item": "CB-HAR-0138",
        "body": (
            "The Annie on the back is my great-aunt, Annie Gaukroger of Brigg Lane. Aunt Lizzie "
            "was her mother's sister, Elizabeth Firth, who kept the card all her life."
        ),
        "suggested_date": "",
        "suggested_place": "",
        "suggested_people": "Gaukroger, Annie",
        "credit_name": "Margaret Hirst",
        "show_name": True,
        "email": "m.hirst@example.org",
        "status": "pending",
        "days_ago": 2,
        "region": (0.15, 0.43, 0.47, 0.08),
        "region_image": 2,
    },
]


# The institutions sharing the demo platform, and which collections each holds.
LIBRARY = "calderbridge-libraries"
CO_OP = "calderbridge-co-op"
FAMILY_HISTORY = "calder-valley-fhs"

DEMO_INSTITUTIONS: list[dict] = [
    {
        "slug": LIBRARY,
        "name": "Calderbridge Libraries: Local Studies",
        "name_cy": "Llyfrgelloedd Calderbridge: Astudiaethau Lleol",
        "description": ("The town library's local studies collection: studio negatives, the "
                        "Borough Engineer's surveys and the Courier's photographs."),
        "description_cy": ("Casgliad astudiaethau lleol llyfrgell y dref: negyddion stiwdio, "
                           "arolygon Peiriannydd y Fwrdeistref a ffotograffau’r Courier."),
        "website": "https://libraries.calderbridge.example/local-studies",
        "contact_email": "local.studies@calderbridge.example",
        "accent_colour": "#7a3b12",
        "licence_label": "CC BY 4.0",
        "licence_uri": "https://creativecommons.org/licenses/by/4.0/",
        "standing_questions": "Who are the people in this photograph?\n"
                              "When was this photograph taken?\n"
                              "Which street is this?",
        "collections": [HARDCASTLE, ENGINEER, COURIER],
    },
    {
        "slug": CO_OP,
        "name": "Calderbridge Co-operative Society Archive",
        "name_cy": "Archif Cymdeithas Gydweithredol Calderbridge",
        "description": ("The society's own files, kept by volunteers: branch shops, staff, the "
                        "choir, galas and outings."),
        "description_cy": ("Ffeiliau’r gymdeithas ei hun, a gedwir gan wirfoddolwyr: siopau’r "
                           "canghennau, staff, y côr, galâu a gwibdeithiau."),
        "website": "https://coop-heritage.example",
        "contact_email": "archive@coop-heritage.example",
        "accent_colour": "#0b5d3b",
        "licence_label": "CC BY-NC 4.0",
        "licence_uri": "https://creativecommons.org/licenses/by-nc/4.0/",
        "rejection_reasons": (
            "not_coop=The note is not about the society or its people.\n"
            "members_only=We cannot publish details of members' accounts.\n"
            "duplicate=Someone had already told us the same thing."),
        "standing_questions": "Which branch shop is this?\nDo you know anyone in the choir?",
        "collections": [COOP],
    },
    {
        "slug": FAMILY_HISTORY,
        "name": "Calder Valley Family History Society",
        "name_cy": "Cymdeithas Hanes Teulu Dyffryn Calder",
        "description": ("Family albums and studio portraits given to the society by members, "
                        "researched together with the public."),
        "description_cy": ("Albymau teulu a phortreadau stiwdio a roddwyd i’r gymdeithas gan "
                           "aelodau, ac a ymchwilir ynghyd â’r cyhoedd."),
        "website": "https://cvfhs.example",
        "contact_email": "albums@cvfhs.example",
        "accent_colour": "#5b2a86",
        "standing_questions": "Do you recognise anyone in this photograph?",
        "collections": [SUTCLIFFE],
    },
]
